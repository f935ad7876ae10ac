using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.Tests.Data;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;

namespace MLNetSeq2Seq.Tests.Reliability;

/// <summary>
/// The load run (issue #24): 16 threads score one loaded forecasting model for a bounded time — Transform, a
/// PredictionEngine each, and a forecast engine each — while another thread trains a second model and another builds
/// TorchSharp modules in a loop. No crash, and every score equals the single-threaded score bit for bit.
/// </summary>
[Collection(GlobalTorchGenerator.Name)] // one thread builds modules with torch's global generator
public sealed class LoadRunTests(ITestOutputHelper output)
{
    private const int ScoringThreads = 16;
    private static readonly TimeSpan s_duration = TimeSpan.FromSeconds(12);

    [Fact]
    public async Task Sixteen_scoring_threads_beside_training_and_module_building_get_the_single_thread_scores()
    {
        var ml = new MLContext(seed: 1);
        SequenceWindowSplit split = ForecastingTests.Windows(ml);
        IDataView series = GeneratedSeries.Load(ml, GeneratedSeries.Create(420));
        var options = new Seq2SeqForecastingOptions { Horizon = 10, HiddenSize = 16, FamilyOptions = new SegmentRecurrentOptions { SegmentLength = 5 }, MaxEpochs = 1, InferenceBatchSize = 8, BaselineComparison = BaselineComparison.Off };
        using var folder = new TemporaryFolder();
        using (Seq2SeqTransformer trained = ml.Forecasting.Seq2Seq(options).Fit(split.Train))
            ml.Model.Save(trained, split.Train.Schema, folder.File("model.zip"));
        var model = (Seq2SeqTransformer)ml.Model.Load(folder.File("model.zip"), out _);
        using var disposeModel = model;

        float[][] transformed = model.Transform(split.Test).GetColumn<float[]>("Score").ToArray();
        float[] forecast = model.CreateForecastEngine(ml, series, timestampColumnName: "Time").Predict().Values.ToArray();

        using var stop = new CancellationTokenSource(s_duration);
        var failures = new ConcurrentQueue<string>();
        long rounds = 0;
        var scoring = Enumerable.Range(0, ScoringThreads).Select(thread => Task.Factory.StartNew(() =>
        {
            var engine = model.CreateForecastEngine(ml, series, timestampColumnName: "Time");
            while (!stop.IsCancellationRequested)
            {
                float[][] mine = model.Transform(split.Test).GetColumn<float[]>("Score").ToArray();
                if (!mine.Zip(transformed).All(p => p.First.SequenceEqual(p.Second)))
                    failures.Enqueue($"thread {thread}: Transform differs");
                if (!engine.Predict().Values.ToArray().SequenceEqual(forecast))
                    failures.Enqueue($"thread {thread}: forecast engine differs");
                Interlocked.Increment(ref rounds);
            }
        }, TaskCreationOptions.LongRunning)).ToList();
        var training = Task.Factory.StartNew(() =>
        {
            int fits = 0;
            while (!stop.IsCancellationRequested)
            {
                using Seq2SeqTransformer other = new MLContext(seed: 2).Forecasting.Seq2Seq(new Seq2SeqForecastingOptions
                {
                    Horizon = 10, HiddenSize = 8, FamilyOptions = new SegmentRecurrentOptions { SegmentLength = 5 }, MaxEpochs = 1, BaselineComparison = BaselineComparison.Off,
                }).Fit(split.Train);
                fits++;
            }
            return fits;
        }, TaskCreationOptions.LongRunning);
        var building = Task.Factory.StartNew(() =>
        {
            int built = 0;
            while (!stop.IsCancellationRequested)
            {
                using var lstm = torch.nn.LSTM(3, 16, 1);
                built++;
            }
            return built;
        }, TaskCreationOptions.LongRunning);

        await Task.WhenAll(scoring.Append(training).Append(building));

        output.WriteLine($"{s_duration.TotalSeconds} s: {rounds} scoring rounds of {ScoringThreads} threads ({rounds * transformed.Length} Transform rows and {rounds} forecasts compared), "
            + $"{await training} Fits beside them, {await building} LSTMs built; {failures.Count} mismatches");
        Assert.True(failures.IsEmpty, string.Join("\n", failures.Take(10)));
        Assert.True(rounds >= ScoringThreads, $"only {rounds} scoring rounds in {s_duration.TotalSeconds} s");
        Assert.True(await training >= 1 && await building >= 1);
    }
}
