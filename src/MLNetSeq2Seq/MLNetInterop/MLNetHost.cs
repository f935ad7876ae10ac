using System;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace MLNetSeq2Seq.MLNetInterop;

/// <summary>
/// What the trainer needs from the MLContext behind a catalog: its seed, GPU settings, cancellation and log.
/// These live on ML.NET's internal IHostEnvironmentInternal / ICancelable and channel API, hence MLNetInterop.
/// </summary>
internal sealed class MLNetHost
{
    private readonly IHost _host;

    public MLNetHost(IHostEnvironment environment, string name)
    {
        Environment = environment ?? throw new ArgumentNullException(nameof(environment));
        _host = environment.Register(name);
    }

    public IHostEnvironment Environment { get; }

    public static IHostEnvironment EnvironmentOf(RegressionCatalog.RegressionTrainers catalog) => ((Microsoft.ML.Data.IInternalCatalog)catalog).Environment;

    public static IHostEnvironment EnvironmentOf(RegressionCatalog catalog) => ((Microsoft.ML.Data.IInternalCatalog)catalog).Environment;

    public static IHostEnvironment EnvironmentOf(ForecastingCatalog catalog) => ((Microsoft.ML.Data.IInternalCatalog)catalog).Environment;

    public static IHostEnvironment EnvironmentOf(DataOperationsCatalog catalog) => ((Microsoft.ML.Data.IInternalCatalog)catalog).Environment;

    public static IHostEnvironment EnvironmentOf(ModelOperationsCatalog catalog) => ((Microsoft.ML.Data.IInternalCatalog)catalog).Environment;

    /// <summary>MLContext(seed: …); null when the context was made without one.</summary>
    public int? Seed => (Environment as IHostEnvironmentInternal)?.Seed;

    public int? GpuDeviceId => (Environment as IHostEnvironmentInternal)?.GpuDeviceId;

    public bool FallbackToCpu => (Environment as IHostEnvironmentInternal)?.FallbackToCpu ?? false;

    /// <summary>Throws ML.NET's cancellation exception after MLContext.CancelExecution().</summary>
    public void ThrowIfCanceled() => Environment.CheckAlive();

    public void Info(string message)
    {
        using IChannel channel = _host.Start("Seq2Seq");
        channel.Info(message);
    }

    public void Warning(string message)
    {
        using IChannel channel = _host.Start("Seq2Seq");
        channel.Warning(message);
    }
}
