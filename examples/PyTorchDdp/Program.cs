// Train in PyTorch (one process or DistributedDataParallel under torchrun), serve in ML.NET: the ML.NET side.
//   dotnet run -c Release --project examples/PyTorchDdp -- export [path/to/ETTh2.csv] [--out folder] [--epochs N]
//       writes folder/etth2-train.safetensors (what Fit would train on) and runs that Fit, for comparison
//   torchrun --standalone --nproc_per_node 2 python/mlnetseq2seq_ddp.py folder/etth2-train.safetensors --out folder/model.safetensors
//   dotnet run -c Release --project examples/PyTorchDdp -- import [path/to/ETTh2.csv] [--out folder]
//       imports folder/model.safetensors and scores the validation and test windows in ML.NET
using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Microsoft.ML;
using MLNetSeq2Seq;
using Forecasting;

string mode = args.Length > 0 ? args[0] : "export";
string csv = args.Skip(1).FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal) && a.EndsWith(".csv", StringComparison.Ordinal))
    ?? "../shared/data/ETTh2.csv"; // relative to the repository root
string Option(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
string folder = Option("--out", "pytorch-ddp");
int epochs = int.Parse(Option("--epochs", "3"), System.Globalization.CultureInfo.InvariantCulture);
Directory.CreateDirectory(folder);
if (!File.Exists(csv))
{
    Console.Error.WriteLine($"ETTh2.csv not found at {Path.GetFullPath(csv)}; pass its path.");
    return 2;
}

var ml = new MLContext(seed: 1);
IDataView series = ml.Data.LoadFromTextFile<EttRow>(csv, hasHeader: true, separatorChar: ',');
var split = ml.Data.SplitSequenceWindowsChronologically(series,
    new SequenceWindowOptions { InputColumnNames = EttRow.ValueColumns, InputLength = 96, Horizon = 24 }, ChronologicalSplit.EttHourly);

if (mode == "import")
{
    using Seq2SeqTransformer imported = ml.Model.ImportSeq2SeqFromPyTorch(Path.Combine(folder, "model.safetensors"));
    foreach (var (name, windows) in new[] { ("validation", split.Validation), ("test", split.Test) })
    {
        var metrics = ml.Regression.EvaluateSequence(imported.Transform(windows));
        Console.WriteLine($"PyTorch-trained model in ML.NET, {name}: MSE {metrics.MeanSquaredError:F4}, MAE {metrics.MeanAbsoluteError:F4} (z-scored)");
    }
    return 0;
}

// A small network, so that Debian's torch (reference BLAS) finishes in minutes: the segment family, channel-independent.
var options = new Seq2SeqOptions
{
    Family = NetworkFamily.SegmentRecurrent,
    FamilyOptions = new SegmentRecurrentOptions { SegmentLength = 24 },
    InstanceNormalization = InstanceNormalization.SubtractLast,
    ChannelIndependent = true,
    HiddenSize = 32,
    BatchSize = 256,
    LearningRate = 3e-3,
    MaxEpochs = epochs,
    Seed = 1,
    ValidationSet = split.Validation,
};
string data = Path.Combine(folder, "etth2-train.safetensors");
var clock = Stopwatch.StartNew();
PyTorchTrainingData export = ml.Data.ExportSeq2SeqTrainingData(split.Train, options, data);
Console.WriteLine($"exported {data}: {export.TrainingWindows} training and {export.ValidationWindows} validation windows, {export.SeriesRows} series rows, "
    + $"batch {export.BatchSize} ({export.StepsPerEpoch} steps per epoch), peak learning rate {export.PeakLearningRate:G4}, {export.Bytes / 1024.0:F0} KiB, {clock.Elapsed.TotalSeconds:F1} s");

clock.Restart();
using Seq2SeqTransformer fitted = ml.Regression.Trainers.Seq2Seq(options).Fit(split.Train);
double seconds = clock.Elapsed.TotalSeconds;
foreach (EpochSummary epoch in fitted.TrainingHistory.Epochs)
    Console.WriteLine($"ML.NET Fit epoch {epoch.Epoch}: train MSE {epoch.TrainLoss:F6}, validation MSE {epoch.ValidationLoss:F6}, {epoch.Seconds:F1} s");
Console.WriteLine($"ML.NET Fit: {seconds:F1} s wall, kept epoch {fitted.TrainingHistory.BestEpoch}");
var test = ml.Regression.EvaluateSequence(fitted.Transform(split.Test));
Console.WriteLine($"ML.NET Fit, test: MSE {test.MeanSquaredError:F4}, MAE {test.MeanAbsoluteError:F4} (z-scored)");
return 0;
