using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flow.Pipeline.Hosting;

/// <summary>Registers pipelines as hosted services.</summary>
public static class FlowPipelineServiceCollectionExtensions
{
    /// <summary>
    /// Runs the pipeline built by <paramref name="build"/> while the host runs, stopping it
    /// gracefully when the host stops. The <see cref="FlowPipelineService"/> is also registered as a
    /// singleton so callers can await its result.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="build">Builds the pipeline from the host's services (called when the host starts).</param>
    /// <param name="configure">Adjusts hosting settings.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddFlowPipeline(this IServiceCollection services, Func<IServiceProvider, Pipeline> build, Action<FlowPipelineHostOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(build);
        var options = new FlowPipelineHostOptions();
        configure?.Invoke(options);
        services.AddSingleton(sp => new FlowPipelineService(
            () => build(sp),
            options,
            sp.GetService<IHostApplicationLifetime>(),
            sp.GetService<ILogger<FlowPipelineService>>()));
        services.AddHostedService(sp => sp.GetRequiredService<FlowPipelineService>());
        return services;
    }
}
