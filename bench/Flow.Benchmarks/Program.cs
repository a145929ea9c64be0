using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Flow.Benchmarks.PipelineOverheadBenchmarks).Assembly).Run(args);
