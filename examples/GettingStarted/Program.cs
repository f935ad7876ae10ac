// README "Using it": train on an ETT-format CSV, evaluate, forecast the next 24 hours, save.
//   dotnet run -c Release --project examples/GettingStarted -- path/to/ETTh2.csv
using System;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq;

var ml = new MLContext(seed: 1);
// Progress while it trains, from the trainer's messages in MLContext.Log: one line per epoch (losses, learning rate,
// time, ETA), and inside epochs longer than 10 s a line every 10 s (steps done of the epoch's total, samples/s, time left).
// After training, one line compares the network with repeating the last value and a linear forecaster on the validation
// windows, and says which of the three the model is.
ml.Log += (_, e) => { if (e.RawMessage.StartsWith("Seq2Seq: epoch", StringComparison.Ordinal) || e.RawMessage.StartsWith("Seq2Seq: validation", StringComparison.Ordinal)) Console.WriteLine(e.RawMessage); };
IDataView series = ml.Data.LoadFromTextFile<EttRow>(args.Length > 0 ? args[0] : "ETTh2.csv", hasHeader: true, separatorChar: ',');

// Windows of 96 hours in, 24 out; the standard ETT split, z-scored with the training rows' statistics.
var windows = new SequenceWindowOptions { InputColumnNames = EttRow.Columns, InputLength = 96, Horizon = 24 };
SequenceWindowSplit split = ml.Data.SplitSequenceWindowsChronologically(series, windows, ChronologicalSplit.EttHourly);
using Seq2SeqTransformer model = ml.Forecasting.Seq2Seq(horizon: 24, validationSet: split.Validation).Fit(split.Train);

// Test metrics: z-scored (as the papers report them) and in the CSV's own units.
SequenceRegressionMetrics test = ml.Regression.EvaluateSequence(model.Transform(split.Test));
Console.WriteLine($"test MSE {test.MeanSquaredError:F3} (z-scored); OT MAE {test.InOriginalUnits!.MeanAbsoluteErrorPerFeature[6]:F2} (°C)");

// The 24 hours after the last row of the CSV, in its units, with timestamps. The model carries its statistics.
Seq2SeqForecastEngine engine = model.CreateForecastEngine(ml, series, timestampColumnName: "Date");
Seq2SeqForecast next = engine.Predict();
for (int h = 0; h < next.Horizon; h++)
    Console.WriteLine($"{next.Timestamps![h]:yyyy-MM-dd HH:mm}  OT {next[h, "OT"]:F2}");
ml.Model.Save(model, split.Train.Schema, "model.zip"); // the statistics and columns travel in the zip

/// <summary>One CSV row: date,HUFL,HULL,MUFL,MULL,LUFL,LULL,OT. Columns are named after the properties ("Date").</summary>
public sealed class EttRow
{
    public static readonly string[] Columns = { "HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL", "OT" };

    [LoadColumn(0)] public string Date { get; set; } = "";
    [LoadColumn(1)] public float HUFL { get; set; }
    [LoadColumn(2)] public float HULL { get; set; }
    [LoadColumn(3)] public float MUFL { get; set; }
    [LoadColumn(4)] public float MULL { get; set; }
    [LoadColumn(5)] public float LUFL { get; set; }
    [LoadColumn(6)] public float LULL { get; set; }
    [LoadColumn(7)] public float OT { get; set; }
}
