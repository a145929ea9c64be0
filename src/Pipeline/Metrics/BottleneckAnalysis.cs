using System.Globalization;

namespace Flow.Pipeline;

/// <summary>
/// Picks the bottleneck: the working stage with the highest busy share (processing time over
/// elapsed time × workers). When no stage is clearly busy, the stage whose upstream waited longest
/// on it (backpressure) is the one everyone waits on.
/// </summary>
internal static class BottleneckAnalysis
{
    private const double BusyThreshold = 0.5;

    public static Bottleneck? Find(IReadOnlyList<StageSnapshot> stages)
    {
        StageSnapshot? busiest = null;
        foreach (var stage in stages)
        {
            if (stage.Kind == "source" || stage.ItemsIn == 0)
            {
                continue;
            }

            if (busiest is null || stage.BusyRatio > busiest.BusyRatio)
            {
                busiest = stage;
            }
        }

        if (busiest is { BusyRatio: >= BusyThreshold })
        {
            string reason = string.Create(CultureInfo.InvariantCulture, $"busy {busiest.BusyRatio * 100:0}% of {busiest.MaxDegreeOfParallelism} worker(s)");
            var feeder = busiest.Upstream.Select(name => stages.FirstOrDefault(s => s.Name == name)).Where(s => s is not null).MaxBy(s => s!.BlockedRatio);
            if (feeder is { BlockedRatio: > 0.05 })
            {
                reason += string.Create(CultureInfo.InvariantCulture, $"; '{feeder.Name}' before it was blocked {feeder.BlockedRatio * 100:0}% of the run");
            }

            return new Bottleneck(busiest.Name, busiest.BusyRatio, reason);
        }

        // Nothing is busy: the stage whose feeder was blocked the longest is what the others wait on.
        StageSnapshot? waitedOn = null;
        StageSnapshot? waiter = null;
        foreach (var stage in stages)
        {
            foreach (var name in stage.Upstream)
            {
                var feeder = stages.FirstOrDefault(s => s.Name == name);
                if (feeder is { BlockedRatio: > 0.05 } && (waiter is null || feeder.BlockedRatio > waiter.BlockedRatio))
                {
                    waiter = feeder;
                    waitedOn = stage;
                }
            }
        }

        if (waitedOn is not null)
        {
            return new Bottleneck(waitedOn.Name, waitedOn.BusyRatio, string.Create(CultureInfo.InvariantCulture, $"'{waiter!.Name}' waited on it {waiter.BlockedRatio * 100:0}% of the run"));
        }

        return busiest is null ? null : new Bottleneck(busiest.Name, busiest.BusyRatio, string.Create(CultureInfo.InvariantCulture, $"busiest stage, busy {busiest.BusyRatio * 100:0}%; the source or the sink's consumer limits the rate"));
    }
}
