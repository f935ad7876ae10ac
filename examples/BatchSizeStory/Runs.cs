using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq;
using TorchSharp;
using static TorchSharp.torch;

namespace BatchSizeStory;

/// <summary>The training runs, each executed in its own child process.</summary>
public static class Runs
{
    public const int TableInputLength = 48, TableHorizon = 24, TableEpochs = 6;
    public const int StoryEpochs = 8, SampleStepBudget = 7680, ReferenceBatch = 32, StoryBatch = 256;
    public static readonly int[] StoryLengths = { 10, 15, 20, 40 };
    public static readonly string[] TableConfigurations = { "reference", "big-batch", "big-batch-micro", "big-batch-micro-sqrt", "big-batch-micro-linear" };

    public static int RunChild(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        string? csv = args[0].Length == 0 ? null : args[0];
        float[][] series = EttWindows.LoadStandardized(csv);
        return args[1] switch
        {
            "table" => Table(series, args[2]),
            "story" when args[2] == "naive" => Naive(series, int.Parse(args[3], CultureInfo.InvariantCulture)),
            "story" => Component(series, int.Parse(args[3], CultureInfo.InvariantCulture)),
            "tradeoff" => TradeOff.RunChild(series, int.Parse(args[2], CultureInfo.InvariantCulture), args[3]),
            _ => throw new ArgumentException("unknown run " + string.Join(' ', args)),
        };
    }

    private static int Table(float[][] series, string name)
    {
        var ml = new MLContext(seed: 1);
        var (train, validation) = Data(ml, series, TableInputLength, TableHorizon, trainStride: 2, validationStride: 1);
        var options = new Seq2SeqOptions { HiddenSize = 64, MaxEpochs = TableEpochs, LearningRate = 1e-3, ValidationSet = validation, EarlyStopping = { Patience = TableEpochs }, Seed = 1, ReferenceBatchSize = ReferenceBatch };
        (options.BatchSize, options.MicroBatchSize, options.LearningRateScaling) = name switch
        {
            "reference" => (ReferenceBatch, (int?)null, LearningRateScaling.None),
            "big-batch" => (StoryBatch, null, LearningRateScaling.None),
            "big-batch-micro" => (StoryBatch, ReferenceBatch, LearningRateScaling.None),
            "big-batch-micro-sqrt" => (StoryBatch, ReferenceBatch, LearningRateScaling.SquareRoot),
            "big-batch-micro-linear" => (StoryBatch, ReferenceBatch, LearningRateScaling.Linear),
            _ => throw new ArgumentException("unknown configuration " + name),
        };
        using Seq2SeqTransformer model = ml.Regression.Trainers.Seq2Seq(options).Fit(train);
        TrainingHistory history = model.TrainingHistory;
        string scaling = options.LearningRateScaling == LearningRateScaling.None ? "" : $" ({options.LearningRateScaling}, ref {ReferenceBatch})";
        Console.WriteLine(($"| {name} | {options.BatchSize} | {Micro(options.BatchSize, options.MicroBatchSize ?? options.BatchSize)} | "
            + $"{history.PeakLearningRate:G3}{scaling} | {history.BestValidationLoss:F4} | {history.BestEpoch} | "
            + $"{history.Epochs.Average(e => e.Seconds):F1} | {PeakResidentMiB()} MiB |"));
        return 0;
    }

    private static int Component(float[][] series, int length)
    {
        var ml = new MLContext(seed: 1);
        var (train, validation) = Data(ml, series, length, length, trainStride: 4, validationStride: 8);
        int micro = StoryBatch;
        while (micro > 1 && micro * 2 * length > SampleStepBudget)
            micro /= 2;
        var options = new Seq2SeqOptions
        {
            HiddenSize = 64, MaxEpochs = StoryEpochs, BatchSize = StoryBatch, MaxMicroBatchSize = micro, LearningRate = 1e-3,
            LearningRateScaling = LearningRateScaling.SquareRoot, ReferenceBatchSize = ReferenceBatch, TeacherForcingRatio = 1,
            Dropout = 0.2, ValidationSet = validation, EarlyStopping = { Patience = StoryEpochs }, Seed = 1,
        };
        using Seq2SeqTransformer model = ml.Regression.Trainers.Seq2Seq(options).Fit(train);
        var history = model.TrainingHistory;
        Console.WriteLine("curve component " + length + " " + string.Join(' ', history.Epochs.Select(e => $"{e.ValidationLoss:R}")));
        Console.WriteLine(($"| {length} | component | {StoryBatch} | {Micro(StoryBatch, micro)} | {history.PeakLearningRate:G3} (√ scaling from {ReferenceBatch}) | "
            + $"{train.GetRowCount()} of {train.GetRowCount()} | {history.BestEpoch} | {history.BestValidationLoss:F4} (eval mode) | {history.BestValidationLoss:F4} | {PeakResidentMiB()} MiB |"));
        return 0;
    }

    private static int Naive(float[][] series, int length)
    {
        var windowsTrain = EttWindows.Slide(series, length, length, 0, EttWindows.TrainEnd, stride: 4);
        var windowsValidation = EttWindows.Slide(series, length, length, EttWindows.TrainEnd, EttWindows.ValidationEnd, stride: 8);
        using var scope = torch.NewDisposeScope();
        var (trainX, trainY) = Tensors(windowsTrain, length);
        var (validX, validY) = Tensors(windowsValidation, length);
        var loop = new NaiveLoop(EttWindows.Columns, hidden: 64, learningRate: 1e-3, batchSize: ReferenceBatch, seed: 1);
        var reported = new double[StoryEpochs];
        var truth = new double[StoryEpochs];
        int seen = 0;
        for (int epoch = 0; epoch < StoryEpochs; epoch++)
        {
            seen = loop.TrainEpoch(trainX, trainY);
            reported[epoch] = loop.ReportedValidationLoss(validX, validY);
            truth[epoch] = loop.TrueValidationLoss(validX, validY);
        }
        int best = Array.IndexOf(reported, reported.Min());
        Console.WriteLine("curve naive " + length + " " + string.Join(' ', truth.Select(v => $"{v:R}")));
        Console.WriteLine(($"| {length} | naive | whole epoch, summed | {ReferenceBatch} | 0.001, stepped once per epoch | {seen} of {windowsTrain.Count} | {best + 1} | "
            + $"{reported[best]:F4} (train mode, teacher forcing) | {truth[best]:F4} | {PeakResidentMiB()} MiB |"));
        return 0;
    }

    internal static (IDataView Train, IDataView Validation) Data(MLContext ml, float[][] series, int inputLength, int horizon, int trainStride, int validationStride)
    {
        var schema = SchemaDefinition.Create(typeof(Window));
        schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, inputLength, EttWindows.Columns);
        schema["Label"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, horizon, EttWindows.Columns);
        return (ml.Data.LoadFromEnumerable(EttWindows.Slide(series, inputLength, horizon, 0, EttWindows.TrainEnd, trainStride), schema),
            ml.Data.LoadFromEnumerable(EttWindows.Slide(series, inputLength, horizon, EttWindows.TrainEnd, EttWindows.ValidationEnd, validationStride), schema));
    }

    private static (Tensor X, Tensor Y) Tensors(System.Collections.Generic.List<Window> windows, int length) =>
        (torch.tensor(windows.SelectMany(w => w.Features).ToArray(), new long[] { windows.Count, length, EttWindows.Columns }),
         torch.tensor(windows.SelectMany(w => w.Label).ToArray(), new long[] { windows.Count, length, EttWindows.Columns }));

    private static string Micro(int batch, int micro) => $"{(batch + micro - 1) / micro} × {micro}";

    internal static long PeakResidentMiB() =>
        long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
}
