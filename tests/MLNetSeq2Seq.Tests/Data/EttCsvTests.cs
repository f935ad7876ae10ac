using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace MLNetSeq2Seq.Tests.Data;

/// <summary>
/// ETT-format CSV files (date,HUFL,HULL,MUFL,MULL,LUFL,LULL,OT) loaded with ML.NET's own text loader, then windowed.
/// The generated file covers every assertion; the real ETTh2 file (../shared/data, never copied: CC BY-ND) adds
/// the published counts and statistics when the checkout has it.
/// </summary>
public sealed class EttCsvTests
{
    private const string Header = "date,HUFL,HULL,MUFL,MULL,LUFL,LULL,OT";
    private static readonly string[] ValueColumns = Header.Split(',').Skip(1).ToArray();
    private readonly MLContext _ml = new(seed: 1);

    /// <summary>The row class for <c>LoadFromTextFile&lt;T&gt;</c>.</summary>
    public sealed class EttRow
    {
        [LoadColumn(0)] public string Date { get; set; } = "";
        [LoadColumn(1)] public float HUFL { get; set; }
        [LoadColumn(2)] public float HULL { get; set; }
        [LoadColumn(3)] public float MUFL { get; set; }
        [LoadColumn(4)] public float MULL { get; set; }
        [LoadColumn(5)] public float LUFL { get; set; }
        [LoadColumn(6)] public float LULL { get; set; }
        [LoadColumn(7)] public float OT { get; set; }
    }

    [Fact]
    public void A_CSV_loaded_with_a_text_loader_gives_windows_of_its_values_and_dates()
    {
        using var folder = new TemporaryFolder();
        (string path, string[] dates, float[][] values) = WriteEttCsv(folder, rows: 300);
        var loader = _ml.Data.CreateTextLoader(
            new[] { new TextLoader.Column("date", DataKind.String, 0) }
                .Concat(ValueColumns.Select((c, i) => new TextLoader.Column(c, DataKind.Single, i + 1))).ToArray(),
            hasHeader: true, separatorChar: ',');
        var options = new SequenceWindowOptions
        {
            InputColumnNames = ValueColumns, TargetColumnNames = new[] { "OT" }, InputLength = 24, Horizon = 6, Stride = 5,
            TimestampColumnName = "date", ForecastStartTimestampColumnName = "forecast_date", WindowStartColumnName = "Start",
        };

        var windows = WindowReader.ReadAll(_ml.Data.CreateSequenceWindows(loader.Load(path), options), timestampColumn: "date", forecastColumn: "forecast_date");

        var starts = GeneratedSeries.ExpectedStarts(0, 300, 24, 6, 5);
        Assert.Equal(starts, windows.Select(w => w.Start!.Value));
        WindowRow last = windows[^1];
        int s = (int)starts[^1];
        Assert.Equal(Enumerable.Range(s, 24).SelectMany(r => values[r]), last.Features);
        Assert.Equal(Enumerable.Range(s + 24, 6).Select(r => values[r][^1]), last.Label);
        Assert.Equal(dates[s], last.Timestamp);
        Assert.Equal(dates[s + 24], last.ForecastTimestamp);
    }

    [Fact]
    public void A_CSV_loaded_with_LoadFromTextFile_splits_like_the_benchmark_with_train_only_statistics()
    {
        using var folder = new TemporaryFolder();
        (string path, _, float[][] values) = WriteEttCsv(folder, rows: 500);
        IDataView series = _ml.Data.LoadFromTextFile<EttRow>(path, hasHeader: true, separatorChar: ',');
        const int L = 48, H = 12, a = 300, b = 400, c = 480;
        var options = new SequenceWindowOptions { InputColumnNames = ValueColumns, InputLength = L, Horizon = H, TimestampColumnName = "Date" };

        SequenceWindowSplit split = _ml.Data.SplitSequenceWindowsChronologically(series, options, new ChronologicalSplit(a, b, c));

        Assert.Equal(new long?[] { a - L - H + 1, b - a - H + 1, c - b - H + 1 },
            new[] { split.Train.GetRowCount(), split.Validation.GetRowCount(), split.Test.GetRowCount() });
        int ot = ValueColumns.Length - 1;
        double[] trainOt = values.Take(a).Select(v => (double)v[ot]).ToArray();
        double mean = trainOt.Average(), std = Math.Sqrt(trainOt.Select(v => (v - mean) * (v - mean)).Average());
        Assert.Equal(mean, split.Statistics!.Means[ot], 9);
        Assert.Equal(std, split.Statistics.StandardDeviations[ot], 9);
        WindowRow firstTest = WindowReader.ReadAll(split.Test, timestampColumn: "Date")[0];
        Assert.Equal((values[b][ot] - mean) / std, firstTest.Label[ot], 5);
        Assert.Equal(GeneratedSeries.Timestamp(b - L), firstTest.Timestamp);
    }

    [SharedDataFact("ETTh2.csv")]
    public void ETTh2_gives_the_published_split_counts_and_train_statistics()
    {
        string path = TestEnvironment.SharedDataFile("ETTh2.csv")!;
        string[] lines = File.ReadAllLines(path);
        Assert.Equal(Header, lines[0]);
        Assert.Equal(17_420, lines.Length - 1);
        IDataView series = _ml.Data.LoadFromTextFile<EttRow>(path, hasHeader: true, separatorChar: ',');
        const int L = 96, H = 24;
        var options = new SequenceWindowOptions
        {
            InputColumnNames = ValueColumns, InputLength = L, Horizon = H,
            TimestampColumnName = "Date", ForecastStartTimestampColumnName = "ForecastDate",
        };
        ChronologicalSplit ett = ChronologicalSplit.EttHourly;

        SequenceWindowSplit split = _ml.Data.SplitSequenceWindowsChronologically(series, options, ett);

        // Informer/Autoformer's loaders: len(data) − seq_len − pred_len + 1 windows per part, val/test data starting seq_len early.
        Assert.Equal(ett.TrainEnd - L - H + 1, split.Train.GetRowCount());
        Assert.Equal(ett.ValidationEnd - ett.TrainEnd + L - L - H + 1, split.Validation.GetRowCount());
        Assert.Equal(ett.TestEnd - ett.ValidationEnd + L - L - H + 1, split.Test.GetRowCount());
        // Train statistics of OT as the data README states them, and as computed here from the text.
        double[] trainOt = lines.Skip(1).Take((int)ett.TrainEnd).Select(l => double.Parse(l.Split(',')[^1], CultureInfo.InvariantCulture)).ToArray();
        double mean = trainOt.Average(), std = Math.Sqrt(trainOt.Select(v => (v - mean) * (v - mean)).Average());
        int ot = split.Statistics!.IndexOf("OT");
        Assert.Equal(26.872, split.Statistics.Means[ot], 3);
        Assert.Equal(11.585, split.Statistics.StandardDeviations[ot], 3);
        Assert.Equal(mean, split.Statistics.Means[ot], 4);
        Assert.Equal(std, split.Statistics.StandardDeviations[ot], 4);
        // The first validation and test windows forecast from the first row of their months.
        Assert.Equal("2017-06-26 00:00:00", WindowReader.ReadAll(split.Validation, timestampColumn: "Date", forecastColumn: "ForecastDate")[0].ForecastTimestamp);
        WindowRow lastTest = WindowReader.ReadAll(split.Test, timestampColumn: "Date", forecastColumn: "ForecastDate")[^1];
        Assert.Equal(lines[1 + ett.TestEnd - H].Split(',')[0], lastTest.ForecastTimestamp);
        Assert.Equal((trainOt[0] - mean) / std, WindowReader.ReadAll(split.Train)[0].Features[ot], 4);
    }

    /// <summary>An ETT-format CSV of hourly rows with values like ETT's (some negative, printed with many digits).</summary>
    private static (string Path, string[] Dates, float[][] Values) WriteEttCsv(TemporaryFolder folder, int rows)
    {
        var random = new Random(3);
        string[] dates = Enumerable.Range(0, rows).Select(GeneratedSeries.Timestamp).ToArray();
        float[][] values = Enumerable.Range(0, rows).Select(r => ValueColumns.Select((_, c) =>
            (float)(20 * Math.Sin(r / (5.0 + c)) + 0.05 * r * (c - 3) + random.NextDouble() - 0.5)).ToArray()).ToArray();
        string path = folder.File("ETT-generated.csv");
        File.WriteAllLines(path, new[] { Header }.Concat(Enumerable.Range(0, rows).Select(r =>
            dates[r] + "," + string.Join(",", values[r].Select(v => v.ToString("R", CultureInfo.InvariantCulture))))));
        return (path, dates, values);
    }
}
