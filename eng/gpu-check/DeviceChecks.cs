using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;

namespace MLNetSeq2Seq.GpuCheck;

/// <summary>The checks, in the order Program runs them; each writes one object into the report.</summary>
internal sealed class DeviceChecks(CheckArguments arguments, JsonObject report)
{
    private const double ScoreTolerance = 1e-4;
    private Seq2SeqTransformer? _w1Model;
    private IDataView? _w1Rows;

    private ComputeDevice Device => arguments.UsesCuda ? ComputeDevice.Cuda : ComputeDevice.Cpu;

    private MLContext NewContext() => arguments.UsesCuda ? new MLContext(seed: 1) { GpuDeviceId = 0, FallbackToCpu = false } : new MLContext(seed: 1);

    /// <summary>Loads libtorch from the folder (dependencies first, so a missing symbol names its library), then the
    /// TorchSharp shim, then TorchSharp's device runtime. False when any of it fails; the report says where.</summary>
    public bool LoadRuntime()
    {
        var load = new JsonObject();
        report["load"] = load;
        string[] libraries = arguments.UsesCuda
            ? new[] { "libc10.so", "libtorch_cpu.so", "libc10_cuda.so", "libtorch_cuda.so", "libtorch.so" }
            : new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" };
        foreach (string library in libraries)
        {
            string path = Path.Combine(arguments.LibTorchFolder, library);
            if (!TryLoad(path, out string error))
            {
                load["ok"] = false;
                load["failedLibrary"] = path;
                load["error"] = error;
                load["firstUndefinedSymbol"] = FirstUndefinedSymbol(error);
                return false;
            }
        }
        string? shim = new[] { Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so"), Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so") }
            .FirstOrDefault(File.Exists);
        load["shim"] = shim;
        string shimError = "not found";
        if (shim is null || !TryLoad(shim, out shimError))
        {
            load["ok"] = false;
            load["failedLibrary"] = shim ?? "libLibTorchSharp.so (not found beside the app)";
            load["error"] = shimError;
            load["firstUndefinedSymbol"] = shim is null ? null : FirstUndefinedSymbol(shimError);
            return false;
        }
        try
        {
            torch.InitializeDeviceType(arguments.UsesCuda ? DeviceType.CUDA : DeviceType.CPU);
            TorchRuntime.EnsureLoaded();
        }
        catch (Exception ex)
        {
            load["ok"] = false;
            load["error"] = ex.ToString();
            return false;
        }
        load["ok"] = true;
        load["cudaAvailable"] = torch.cuda.is_available();
        load["cudaDeviceCount"] = torch.cuda.is_available() ? torch.cuda.device_count() : 0;
        load["cpuThreads"] = torch.get_num_threads();
        if (arguments.UsesCuda && !torch.cuda.is_available())
        {
            load["ok"] = false;
            load["error"] = "libtorch loaded, but torch.cuda.is_available() is false (no driver or no GPU visible to this process)";
            return false;
        }
        return true;
    }

    /// <summary>The device's float32 matmul rate, with TF32 off and (on CUDA) on: the yardsticks for the training step's rate.</summary>
    public void MatmulRate()
    {
        var rates = new JsonObject();
        bool tf32 = torch.backends.cuda.matmul.allow_tf32;
        rates["float32"] = MatmulRate(allowTf32: false);
        if (arguments.UsesCuda)
            rates["tf32"] = MatmulRate(allowTf32: true);
        rates["defaultAllowsTf32"] = tf32;
        rates["cudnnDefaultAllowsTf32"] = torch.backends.cudnn.allow_tf32;
        // The training checks compare device scores with the CPU's at 1e-4: TF32 (10 mantissa bits) in cuBLAS or in
        // cuDNN's recurrent kernels would move them by ~1e-3 over 24 autoregressive steps. Everything after runs in float32.
        torch.backends.cuda.matmul.allow_tf32 = false;
        torch.backends.cudnn.allow_tf32 = false;
        rates["trainingChecksUseTf32"] = false;
        report["matmul"] = rates;
    }

    private JsonObject MatmulRate(bool allowTf32)
    {
        if (arguments.UsesCuda)
            torch.backends.cuda.matmul.allow_tf32 = allowTf32;
        int n = arguments.Quick ? 512 : 8192, repeats = arguments.Quick ? 3 : 20;
        torch.Device device = arguments.UsesCuda ? torch.CUDA : torch.CPU;
        using var scope = torch.NewDisposeScope();
        var a = torch.randn(n, n, device: device);
        var b = torch.randn(n, n, device: device);
        torch.matmul(a, b);
        Synchronize();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < repeats; i++)
            torch.matmul(a, b);
        Synchronize();
        double seconds = clock.Elapsed.TotalSeconds;
        return new JsonObject
        {
            ["size"] = n,
            ["repeats"] = repeats,
            ["tflops"] = Math.Round(2.0 * n * n * (double)n * repeats / seconds / 1e12, 2),
        };
    }

    /// <summary>W1 (the bench workload: GRU 2+2 layers, hidden 128, 7 → 7, H = 24, batch 256) on the device and on the CPU.</summary>
    public void TrainW1()
    {
        int rows = arguments.Quick ? 512 : 8192, length = arguments.Quick ? 24 : 96, epochs = arguments.Quick ? 1 : 3;
        var ml = NewContext();
        _w1Rows = SyntheticWindows.ToDataView(ml, SyntheticWindows.Random(rows, length, 7, 24, 7, seed: 1), length, 7, 24, 7);
        var result = new JsonObject { ["rows"] = rows, ["inputLength"] = length, ["epochs"] = epochs };
        _w1Model = ml.Regression.Trainers.Seq2Seq(W1Options(epochs, Device)).Fit(_w1Rows);
        double deviceEpoch = MedianEpochSeconds(_w1Model.TrainingHistory);
        result["deviceEpochSeconds"] = Seconds(_w1Model.TrainingHistory);
        double flops = SyntheticWindows.W1TrainingFlopsPerSample(length) * rows;
        result["trainingFlopsPerEpoch"] = flops;
        result["achievedTflops"] = Math.Round(flops / deviceEpoch / 1e12, 3);
        if (arguments.UsesCuda)
        {
            using var cpuModel = new MLContext(seed: 1).Regression.Trainers.Seq2Seq(W1Options(epochs, ComputeDevice.Cpu)).Fit(_w1Rows);
            double cpuEpoch = MedianEpochSeconds(cpuModel.TrainingHistory);
            result["cpuEpochSeconds"] = Seconds(cpuModel.TrainingHistory);
            result["deviceOverCpuEpochTime"] = Math.Round(deviceEpoch / cpuEpoch, 4);
        }
        result["finalTrainLoss"] = _w1Model.TrainingHistory.Epochs[^1].TrainLoss;
        result["ok"] = double.IsFinite(_w1Model.TrainingHistory.Epochs[^1].TrainLoss);
        report["w1"] = result;
    }

    /// <summary>The segment-recurrent family through mlContext.Forecasting.Seq2Seq on a generated multivariate series.</summary>
    public void TrainSegmentFamily()
    {
        var ml = NewContext();
        SequenceWindowSplit split = SyntheticWindows.SeasonalSplit(ml, arguments.Quick ? 1200 : 6000);
        var options = new Seq2SeqForecastingOptions();
        options.ValidationSet = split.Validation;
        options.MaxEpochs = arguments.Quick ? 2 : 8;
        options.Device = Device;
        options.Seed = 1;
        using Seq2SeqTransformer model = ml.Forecasting.Seq2Seq(options).Fit(split.Train);
        SequenceRegressionMetrics metrics = ml.Regression.EvaluateSequence(model.Transform(split.Test));
        ForecastBaselineMetrics baselines = ml.Forecasting.EvaluateSeq2SeqBaselines(split.Train, split.Test);
        float[] deviceScores = Scores(model, split.Test);
        double difference = ReloadedOnCpuDifference(ml, model, split.Train.Schema, split.Test, deviceScores);
        report["segmentFamily"] = new JsonObject
        {
            ["epochs"] = model.TrainingHistory.Epochs.Count,
            ["keptEpoch"] = model.TrainingHistory.BestEpoch,
            ["epochSeconds"] = Seconds(model.TrainingHistory),
            ["testMse"] = metrics.MeanSquaredError,
            ["persistenceMse"] = baselines.Persistence.MeanSquaredError,
            ["linearMse"] = baselines.Linear.MeanSquaredError,
            ["maxAbsScoreDifferenceReloadedOnCpu"] = difference,
            ["ok"] = double.IsFinite(metrics.MeanSquaredError) && difference <= ScoreTolerance,
        };
    }

    /// <summary>W1's device-trained weights scored on the device and, saved and loaded by a plain MLContext, on the CPU.</summary>
    public void CompareScoresAndReloadOnCpu()
    {
        var ml = NewContext();
        float[] deviceScores = Scores(_w1Model!, _w1Rows!);
        double difference = ReloadedOnCpuDifference(ml, _w1Model!, _w1Rows!.Schema, _w1Rows, deviceScores);
        report["cpuVsDeviceScores"] = new JsonObject
        {
            ["values"] = deviceScores.Length,
            ["maxAbsDifference"] = difference,
            ["tolerance"] = ScoreTolerance,
            ["savedOn"] = arguments.Device,
            ["loadedOn"] = "cpu",
            ["ok"] = difference <= ScoreTolerance,
        };
        _w1Model!.Dispose();
    }

    /// <summary>A micro-batch far too large for the device: the backoff must halve it until a step fits, with the effective batch unchanged.</summary>
    public void OutOfMemoryBackoff()
    {
        if (!arguments.UsesCuda)
        {
            report["outOfMemoryBackoff"] = new JsonObject { ["skipped"] = "CPU mode: Linux overcommits memory, so a real allocation failure is not provoked here (the unit tests cover the backoff with a refusing allocator)." };
            return;
        }
        var ml = NewContext();
        var log = new List<string>();
        ml.Log += (_, e) => { lock (log) log.Add(e.Message); };
        const int Rows = 65536, Length = 256;
        IDataView data = SyntheticWindows.ToDataView(ml, SyntheticWindows.Random(Rows, Length, 8, 8, 8, seed: 2), Length, 8, 8, 8);
        var options = new Seq2SeqOptions
        {
            HiddenSize = 1024, BatchSize = Rows, MicroBatchSize = Rows, MaxEpochs = 1, LearningRate = 1e-4,
            TeacherForcingRatio = 1, Schedule = { Kind = LearningRateSchedule.Constant }, Device = ComputeDevice.Cuda, Seed = 1,
        };
        var clock = Stopwatch.StartNew();
        var result = new JsonObject { ["rows"] = Rows, ["inputLength"] = Length, ["hiddenSize"] = 1024, ["effectiveBatch"] = Rows };
        try
        {
            using Seq2SeqTransformer model = ml.Regression.Trainers.Seq2Seq(options).Fit(data);
            var halvings = log.Select(m => Regex.Match(m, @"out of memory with micro-batches of (\d+) samples.*micro-batches of (\d+)")).Where(m => m.Success)
                .Select(m => $"{m.Groups[1].Value} → {m.Groups[2].Value}").ToArray();
            result["halvings"] = new JsonArray(halvings.Select(h => (JsonNode?)h).ToArray());
            result["optimizerSteps"] = model.TrainingHistory.Epochs[0].OptimizerSteps;
            result["trainLoss"] = model.TrainingHistory.Epochs[0].TrainLoss;
            result["ok"] = halvings.Length > 0 && model.TrainingHistory.Epochs[0].OptimizerSteps == 1 && double.IsFinite(model.TrainingHistory.Epochs[0].TrainLoss);
        }
        catch (Exception ex)
        {
            result["error"] = ex.Message;
            result["ok"] = false;
        }
        result["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 1);
        report["outOfMemoryBackoff"] = result;
    }

    /// <summary>True when every check object that has an "ok" says true.</summary>
    public static bool AllPassed(JsonObject report) =>
        report.Select(p => p.Value).OfType<JsonObject>().All(o => o["ok"] is not JsonValue ok || ok.GetValue<bool>());

    private double ReloadedOnCpuDifference(MLContext ml, Seq2SeqTransformer model, DataViewSchema schema, IDataView rows, float[] expected)
    {
        string path = Path.Combine(Path.GetTempPath(), $"gpu-check-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, schema, path);
            var loaded = (Seq2SeqTransformer)new MLContext().Model.Load(path, out _); // no GpuDeviceId: loads on the CPU
            using (loaded)
                return expected.Zip(Scores(loaded, rows), (a, b) => (double)Math.Abs(a - b)).DefaultIfEmpty(double.PositiveInfinity).Max();
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static Seq2SeqOptions W1Options(int epochs, ComputeDevice device) => new()
    {
        Cell = RecurrentCellType.Gru, HiddenSize = 128, LayerCount = 2, TeacherForcingRatio = 1, LearningRate = 1e-3, WeightDecay = 0.01,
        GradientClipNorm = 1.0, BatchSize = 256, Schedule = { Kind = LearningRateSchedule.Constant }, MaxEpochs = epochs, Device = device, Seed = 1,
    };

    private static float[] Scores(ITransformer model, IDataView rows) =>
        model.Transform(rows).GetColumn<float[]>("Score").Take(256).SelectMany(v => v).ToArray();

    private static JsonArray Seconds(TrainingHistory history) =>
        new(history.Epochs.Select(e => (JsonNode?)Math.Round(e.Seconds, 3)).ToArray());

    // The first epoch carries one-time costs (kernel selection, allocator growth): leave it out when there are more.
    private static double MedianEpochSeconds(TrainingHistory history)
    {
        double[] seconds = history.Epochs.Skip(history.Epochs.Count > 1 ? 1 : 0).Select(e => e.Seconds).OrderBy(s => s).ToArray();
        return seconds[seconds.Length / 2];
    }

    private void Synchronize()
    {
        if (arguments.UsesCuda)
            torch.cuda.synchronize();
    }

    private static bool TryLoad(string path, out string error)
    {
        try
        {
            NativeLibrary.Load(path);
            error = "";
            return true;
        }
        catch (Exception ex) when (ex is DllNotFoundException or BadImageFormatException)
        {
            error = ex.Message;
            return false;
        }
    }

    private static string? FirstUndefinedSymbol(string error) =>
        Regex.Match(error, @"undefined symbol: (\S+)") is { Success: true } m ? m.Groups[1].Value
        : Regex.Match(error, @"version `([^']+)' not found") is { Success: true } v ? v.Groups[1].Value : null;
}
