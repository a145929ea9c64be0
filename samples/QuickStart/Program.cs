using Flow.Pipeline;

var builder = new PipelineBuilder(new PipelineOptions { Name = "quickstart" });
var sums = builder.From(Enumerable.Range(1, 200_000), "numbers")
    .Then(x => (long)x * x, new StageOptions { Name = "square", MaxDegreeOfParallelism = 2 })
    .Batch(1_000, maxDelay: TimeSpan.FromMilliseconds(10), new StageOptions { Name = "batch" })
    .Then(batch => batch.Sum(), new StageOptions { Name = "sum" })
    .Collect();
var result = await LiveView.RunAsync(builder.Build().Start());
Console.WriteLine($"sum of squares: {sums.Items.Sum()} in {result.Elapsed.TotalMilliseconds:0} ms");
