using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.Tests.MLNetInterop;

namespace MLNetSeq2Seq.Tests.ChildProcess;

/// <summary>
/// The test assembly's entry point when a test starts it as a child process. The test runner never calls it.
/// Each command prints its results on standard output, one value per line, in round-trip format.
/// </summary>
public static class ChildProcessProgram
{
    private static readonly Dictionary<string, Func<string[], int>> s_commands = new()
    {
        ["load-scale-model"] = LoadScaleModel,
        ["score-seq2seq-model"] = ScoreSeq2SeqModel,
        [Reliability.ModelFuzzer.Command] = Reliability.ModelFuzzer.Run,
        [Reliability.FormatFuzzer.Command] = Reliability.FormatFuzzer.Run,
        [Reliability.CrashSafetyTests.TrainCommand] = Reliability.CrashSafetyTests.TrainWithCheckpoints,
        [ForecastingTests.ScoreCommand] = ForecastingTests.ScoreInChild,
        [Forecasting.ForecastEngineTests.ForecastCommand] = Forecasting.ForecastEngineTests.ForecastInChild,
        [Forecasting.TrainingSeriesTests.PrintCommand] = Forecasting.TrainingSeriesTests.PrintInChild,
        [Forecasting.QuantileForecastTests.PrintCommand] = Forecasting.QuantileForecastTests.PrintInChild,
        [Forecasting.FutureInputTests.PrintCommand] = Forecasting.FutureInputTests.PrintInChild,
        [Reliability.ConcurrencyTests.DisposeWhileScoringCommand] = Reliability.ConcurrencyTests.DisposeWhileScoring,
        [Training.RealOutOfMemoryTests.Command] = Training.RealOutOfMemoryTests.TrainUnderAddressSpaceLimit,
        [Native.OpenMpDefaultTests.Command] = Native.OpenMpDefaultTests.RunInChild,
        [Native.OneDnnIsaDefaultTests.Command] = Native.OneDnnIsaDefaultTests.RunInChild,
        [Native.MissingBackendTests.FitCommand] = Native.MissingBackendTests.FitInChild,
        [Native.MissingBackendTests.LoadCommand] = Native.MissingBackendTests.LoadInChild,
        [PyTorch.PyTorchImportBoundsTests.Command] = PyTorch.PyTorchImportBoundsTests.RunInChild,
    };

    public static int Main(string[] args)
    {
        if (args.Length == 0 || !s_commands.TryGetValue(args[0], out var command))
        {
            Console.Error.WriteLine("usage: MLNetSeq2Seq.Tests <command> [args]; commands: " + string.Join(", ", s_commands.Keys));
            return 2;
        }
        try
        {
            return command(args.Skip(1).ToArray());
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine(ex.ToString());
            return 1;
        }
    }

    // Loads a saved pipeline with a plain new MLContext (no registration call), transforms the fixed sample rows
    // and prints the loaded state and the output column.
    private static int LoadScaleModel(string[] args)
    {
        var ml = new MLContext();
        ITransformer model = ml.Model.Load(args[0], out DataViewSchema _);
        var scale = ((IEnumerable<ITransformer>)model).OfType<ScaleTransformer>().Single();
        Console.WriteLine(scale.Factor.ToString("R", CultureInfo.InvariantCulture));
        Console.WriteLine(string.Join(";", scale.Offsets.Select(o => o.ToString("R", CultureInfo.InvariantCulture))));
        IDataView scored = model.Transform(ml.Data.LoadFromEnumerable(ScaleTransformer.SampleRows()));
        foreach (float value in scored.GetColumn<float>(ScaleTransformer.OutputColumnName))
            Console.WriteLine(value.ToString("R", CultureInfo.InvariantCulture));
        return 0;
    }

    // Loads a saved Seq2Seq pipeline with a plain new MLContext and prints the scores of the fixed scoring rows.
    private static int ScoreSeq2SeqModel(string[] args)
    {
        var ml = new MLContext();
        ITransformer model = ml.Model.Load(args[0], out DataViewSchema _);
        foreach (float value in Seq2SeqTransformerTests.Scores(ml, model))
            Console.WriteLine(value.ToString("R", CultureInfo.InvariantCulture));
        return 0;
    }
}
