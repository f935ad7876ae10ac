using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Xunit;

namespace MLNetSeq2Seq.Tests.Forecasting;

/// <summary>
/// One engine called from several threads, and CheckPoint to a file: every forecast is one the engine would give
/// single-threaded at some point of the observation sequence (never a window half shifted), and a checkpoint file is
/// replaced in one step, without following links.
/// </summary>
public sealed class ForecastEngineConcurrencyTests : IClassFixture<TrainedForecaster>
{
    private const int StartRows = 360;
    private readonly TrainedForecaster _f;

    public ForecastEngineConcurrencyTests(TrainedForecaster forecaster) => _f = forecaster;

    [Fact]
    public void Observe_Predict_and_CheckPoint_from_six_threads_give_only_forecasts_of_whole_windows()
    {
        // Single-threaded reference: the forecast after each of the 60 one-row observations (and before the first).
        var reference = _f.Model.CreateForecastEngine(_f.Context, _f.Series(StartRows), "Time");
        var expected = new Dictionary<long, float[]> { [StartRows] = reference.Predict().Values.ToArray() };
        for (int row = StartRows; row < TrainedForecaster.RowCount; row++)
        {
            reference.Observe(new[] { _f.Rows[row] });
            expected[row + 1] = reference.Predict().Values.ToArray();
        }
        var byForecast = expected.ToLookup(e => string.Join(",", e.Value.Select(BitConverter.SingleToInt32Bits)), e => e.Key);

        var engine = _f.Model.CreateForecastEngine(_f.Context, _f.Series(StartRows), "Time");
        var failures = new ConcurrentQueue<string>();
        int forecasts = 0, checkpoints = 0;
        using var observing = new ManualResetEventSlim(false);
        using var done = new CancellationTokenSource();
        void Record(Seq2SeqForecast forecast, string who)
        {
            string key = string.Join(",", forecast.Values.Select(BitConverter.SingleToInt32Bits));
            if (!byForecast.Contains(key))
                failures.Enqueue($"{who}: a forecast that matches no whole window (first values {string.Join(", ", forecast.Values.Take(3))})");
            else if (forecast.Timestamps![0] != DateTime.Parse(_f.Rows[(int)byForecast[key].First() - 1].Time, System.Globalization.CultureInfo.InvariantCulture).AddHours(1))
                failures.Enqueue($"{who}: the timestamps belong to another window than the values");
        }
        var threads = Enumerable.Range(0, 4).Select(t => new Thread(() => Guarded($"predictor {t}", () =>
        {
            observing.Wait();
            while (!done.IsCancellationRequested)
            {
                Record(engine.Predict(), $"predictor {t}");
                Interlocked.Increment(ref forecasts);
            }
        }))).ToList();
        threads.Add(new Thread(() => Guarded("checkpointer", () =>
        {
            observing.Wait();
            while (!done.IsCancellationRequested)
            {
                using var stream = new MemoryStream();
                engine.CheckPoint(stream);
                stream.Position = 0;
                Record(Seq2SeqForecastEngine.Load(_f.Context, _f.Model, stream).Predict(), "checkpoint");
                Interlocked.Increment(ref checkpoints);
            }
        })));
        var observer = new Thread(() => Guarded("observer", () =>
        {
            observing.Set();
            for (int row = StartRows; row < TrainedForecaster.RowCount; row++)
            {
                // Alternate one and two rows per call, so both the shift and the whole-row copy paths run concurrently.
                int count = Math.Min(row % 2 + 1, TrainedForecaster.RowCount - row);
                // Let the predictors make progress between observations, however loaded the machine is.
                int seen = Volatile.Read(ref forecasts);
                SpinWait.SpinUntil(() => Volatile.Read(ref forecasts) > seen + 1 || done.IsCancellationRequested, TimeSpan.FromSeconds(10));
                engine.Observe(_f.Rows.Skip(row).Take(count).ToArray());
                row += count - 1;
            }
        }));
        void Guarded(string who, Action body)
        {
            try
            {
                body();
            }
            catch (Exception ex)
            {
                failures.Enqueue($"{who}: {ex}");
                observing.Set();
                done.Cancel();
            }
        }
        threads.ForEach(t => t.Start());
        observer.Start();
        Assert.True(observer.Join(TimeSpan.FromMinutes(2)), "the observer did not finish in 2 minutes");
        done.Cancel();
        Assert.True(threads.All(t => t.Join(TimeSpan.FromMinutes(1))), "a predicting thread did not stop");

        Assert.True(failures.IsEmpty, string.Join("\n", failures.Take(10)));
        Assert.True(forecasts >= 40 && checkpoints > 0, $"only {forecasts} forecasts and {checkpoints} checkpoints ran beside the observer");
        Assert.Equal(TrainedForecaster.RowCount, engine.ObservationCount);
        Assert.Equal(expected[TrainedForecaster.RowCount], engine.Predict().Values);
    }

    private sealed class CountingRow
    {
        public DateTime Time { get; set; }
        public float Value { get; set; }
    }

    [Fact]
    public void The_engine_state_never_shows_a_window_shifted_halfway_or_timestamps_of_another_window()
    {
        // The engine's state alone, hammered in tight loops over a long window (a forecast takes milliseconds, a shift of
        // a short window nanoseconds: only here do the two overlap often). Row r holds the value r at hour r, so a whole
        // window is consecutive values ending at the last timestamp's hour.
        const int inputLength = 50_000;
        var ml = new Microsoft.ML.MLContext(seed: 1);
        DateTime start = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        Microsoft.ML.IDataView Rows(int first, int count) =>
            ml.Data.LoadFromEnumerable(Enumerable.Range(first, count).Select(r => new CountingRow { Time = start.AddHours(r), Value = r }));
        var request = new[] { new MLNetSeq2Seq.Windows.SeriesColumnRequest("Value", "test") };
        MLNetSeq2Seq.Windows.SeriesTable Table(int first, int count) => MLNetSeq2Seq.Windows.SeriesTable.Read(Rows(first, count), request, ("Time", "test"), 0, null);
        var chunks = new List<MLNetSeq2Seq.Windows.SeriesTable>();
        int next = inputLength;
        for (int i = 0; i < 2000; i++)
        {
            int count = i % 1000 == 999 ? inputLength + 7 : i % 2 + 1; // shifts of 1 and 2 rows, and two whole replacements
            chunks.Add(Table(next, count));
            next += count;
        }
        var state = new MLNetSeq2Seq.Forecasting.ForecastEngineState(new[] { "Value" }, inputLength, "Time");
        state.Append(Table(0, inputLength));

        string? torn = null;
        int snapshots = 0;
        using var done = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 3).Select(_ => new Thread(() =>
        {
            while (!done.IsCancellationRequested && torn is null)
            {
                var (window, last, _) = state.Snapshot();
                for (int i = 1; i < window.Length && torn is null; i++)
                    if (window[i] != window[i - 1] + 1)
                        torn = $"window step {i} holds {window[i]} after {window[i - 1]}";
                if (torn is null && last != start.AddHours(window[^1]))
                    torn = $"the window ends at row {window[^1]}, the last timestamp is {last:O}";
                Interlocked.Increment(ref snapshots);
            }
        })).ToList();
        readers.ForEach(t => t.Start());
        for (int i = 0; i < chunks.Count; i++)
        {
            if (i % 100 == 0) // let the readers in between, however loaded the machine is
            {
                int seen = Volatile.Read(ref snapshots);
                SpinWait.SpinUntil(() => Volatile.Read(ref snapshots) > seen || torn is not null, TimeSpan.FromSeconds(10));
            }
            state.Append(chunks[i]);
        }
        done.Cancel();
        readers.ForEach(t => t.Join());

        Assert.True(torn is null, torn);
        Assert.True(snapshots >= 20, $"only {snapshots} snapshots were taken while the rows were appended");
        Assert.Equal(next, state.ObservationCount);
        Assert.Equal(next - 1, state.Snapshot().Window[^1]);
    }

    [Fact]
    public void CheckPoint_replaces_a_link_at_the_target_and_does_not_write_through_it()
    {
        using var folder = new TemporaryFolder();
        File.WriteAllText(folder.File("victim.txt"), "untouched");
        File.CreateSymbolicLink(folder.File("engine.bin"), folder.File("victim.txt"));
        var engine = _f.Model.CreateForecastEngine(_f.Context, _f.Series(400), "Time");

        engine.CheckPoint(folder.File("engine.bin"));

        Assert.Equal("untouched", File.ReadAllText(folder.File("victim.txt")));
        Assert.Null(new FileInfo(folder.File("engine.bin")).LinkTarget);
        Assert.Equal(engine.Predict().Values, Seq2SeqForecastEngine.Load(_f.Context, _f.Model, folder.File("engine.bin")).Predict().Values);
        Assert.Equal(new[] { "engine.bin", "victim.txt" }, Directory.GetFiles(folder.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void CheckPoint_does_not_follow_a_link_planted_at_the_old_fixed_temporary_name()
    {
        using var folder = new TemporaryFolder();
        File.WriteAllText(folder.File("victim.txt"), "untouched");
        File.CreateSymbolicLink(folder.File("engine.bin.tmp"), folder.File("victim.txt"));
        var engine = _f.Model.CreateForecastEngine(_f.Context, _f.Series(400), "Time");

        engine.CheckPoint(folder.File("engine.bin"));
        engine.CheckPoint(folder.File("engine.bin")); // and over its own previous file

        Assert.Equal("untouched", File.ReadAllText(folder.File("victim.txt")));
        Assert.Equal(400, Seq2SeqForecastEngine.Load(_f.Context, _f.Model, folder.File("engine.bin")).ObservationCount);
        Assert.Equal(new[] { "engine.bin", "engine.bin.tmp", "victim.txt" }, Directory.GetFiles(folder.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void A_CheckPoint_that_cannot_be_renamed_into_place_leaves_no_temporary_file()
    {
        using var folder = new TemporaryFolder();
        Directory.CreateDirectory(folder.File("engine.bin")); // a folder where the file should go: the rename fails
        var engine = _f.Model.CreateForecastEngine(_f.Context, _f.Series(400), "Time");

        Exception? error = Record.Exception(() => engine.CheckPoint(folder.File("engine.bin")));

        Assert.True(error is IOException or UnauthorizedAccessException, $"expected an I/O error, got {error}");

        Assert.Empty(Directory.GetFiles(folder.Path)); // hidden files included: the temporary one is a dot file
    }
}
