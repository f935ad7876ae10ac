using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace MLNetSeq2Seq.Tests.Reliability;

public sealed class ConcurrencyTests
{
    private const int Threads = 8;

    private static (MLContext Ml, ITransformer Loaded, SyntheticSequences.Row[] Rows) LoadedModel(TemporaryFolder folder)
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(64, seed: 5));
        Seq2SeqOptions options = ReliabilityKit.TinyOptions(maxEpochs: 1);
        options.FamilyOptions = new AutoregressiveOptions { Attention = AttentionKind.Additive };
        options.InferenceBatchSize = 16;
        using (Seq2SeqTransformer trained = ml.Regression.Trainers.Seq2Seq(options).Fit(data))
            ml.Model.Save(trained, data.Schema, folder.File("model.zip"));
        return (ml, ml.Model.Load(folder.File("model.zip"), out _), SyntheticSequences.Generate(50, seed: 6).ToArray());
    }

    [Fact]
    public async Task Eight_threads_scoring_one_loaded_model_get_exactly_the_single_thread_results()
    {
        using var folder = new TemporaryFolder();
        var (ml, model, rows) = LoadedModel(folder);
        using var disposeModel = (IDisposable)model;
        float[][] transformed = Transform(ml, model, rows);
        float[][] predicted = Predict(ml, model, rows, start: 0);

        using var start = new Barrier(Threads);
        var results = Enumerable.Range(0, Threads).Select(thread => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            var mine = new float[10][][];
            for (int round = 0; round < mine.Length; round += 2)
            {
                mine[round] = Transform(ml, model, rows);
                mine[round + 1] = Predict(ml, model, rows, start: thread * 7 + round); // one engine per thread, its own row order
            }
            return mine;
        }, TaskCreationOptions.LongRunning)).ToArray();
        float[][][][] all = await Task.WhenAll(results);

        foreach (float[][][] mine in all)
        {
            for (int round = 0; round < mine.Length; round++)
            {
                float[][] expected = round % 2 == 0 ? transformed : predicted;
                for (int row = 0; row < rows.Length; row++)
                    Assert.Equal(expected[row], mine[round][row]); // bit for bit
            }
        }
    }

    [Fact]
    public void Disposing_a_PredictionEngine_disposes_the_model_unless_it_does_not_own_it()
    {
        using var folder = new TemporaryFolder();
        var (ml, loaded, rows) = LoadedModel(folder);
        using var model = Assert.IsType<Seq2SeqTransformer>(loaded);
        IDataView data = ml.Data.LoadFromEnumerable(rows);

        ml.Model.CreatePredictionEngine<SyntheticSequences.Row, Seq2SeqTransformerTests.ScoreRow>(model, new PredictionEngineOptions { OwnsTransformer = false }).Dispose();
        Assert.NotNull(model.Transform(data));

        ml.Model.CreatePredictionEngine<SyntheticSequences.Row, Seq2SeqTransformerTests.ScoreRow>(model).Dispose(); // ML.NET's default: owns it
        Assert.Throws<ObjectDisposedException>(() => model.Transform(data));
    }

    [Fact]
    public void Dispose_twice_is_safe_and_every_later_use_throws_ObjectDisposedException()
    {
        using var folder = new TemporaryFolder();
        var (ml, loaded, rows) = LoadedModel(folder);
        var model = Assert.IsType<Seq2SeqTransformer>(loaded);
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        IDataView scoredBefore = model.Transform(data);
        var engineBefore = ml.Model.CreatePredictionEngine<SyntheticSequences.Row, Seq2SeqTransformerTests.ScoreRow>(model);

        model.Dispose();
        model.Dispose();

        Assert.Throws<ObjectDisposedException>(() => model.Transform(data));
        Assert.Throws<ObjectDisposedException>(() => model.GetRowToRowMapper(data.Schema));
        Assert.Throws<ObjectDisposedException>(() => model.GetOutputSchema(data.Schema));
        Assert.Throws<ObjectDisposedException>(() => ml.Model.CreatePredictionEngine<SyntheticSequences.Row, Seq2SeqTransformerTests.ScoreRow>(model));
        Assert.IsType<ObjectDisposedException>(ReliabilityKit.Chain(Assert.ThrowsAny<Exception>(() => ml.Model.Save(model, data.Schema, new MemoryStream()))).Last());
        // What was made before Dispose refuses too, instead of touching freed native memory.
        Assert.Throws<ObjectDisposedException>(() => engineBefore.Predict(rows[0]));
        Assert.Throws<ObjectDisposedException>(() => scoredBefore.GetColumn<float[]>("Score").ToArray());
    }

    internal const string DisposeWhileScoringCommand = "dispose-while-scoring";

    [Fact]
    public void Disposing_while_eight_threads_predict_gives_ObjectDisposedException_never_a_crash_in_200_rounds()
    {
        // A use-after-free may kill the process rather than throw: the rounds run in a child, which must exit cleanly.
        using var folder = new TemporaryFolder();
        _ = LoadedModel(folder);

        var child = ChildProcess.ChildProcessRunner.Run(TimeSpan.FromMinutes(5), DisposeWhileScoringCommand, folder.File("model.zip"), "200");

        Assert.True(child.ExitCode == 0, $"The child exited with {child.ExitCode}.\n{child.StandardOutput}\n{child.StandardError}");
        string[] lines = child.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("rounds 200", lines[0]);
        long predictions = long.Parse(lines[1].Split(' ')[1]), refusals = long.Parse(lines[2].Split(' ')[1]);
        Assert.True(predictions >= 200 * Threads, child.StandardOutput); // every thread scored before each Dispose
        Assert.Equal(200 * Threads, refusals); // and every thread then saw the model refuse
    }

    /// <summary>Child command: loads the model, lets <see cref="Threads"/> threads predict in a loop, disposes the model
    /// while they do, and repeats. Exit 0 only when every thread saw nothing but results and then ObjectDisposedException.</summary>
    internal static int DisposeWhileScoring(string[] args)
    {
        int rounds = int.Parse(args[1]);
        var ml = new MLContext(seed: 1);
        byte[] zip = File.ReadAllBytes(args[0]);
        SyntheticSequences.Row[] rows = SyntheticSequences.Generate(20, seed: 6).ToArray();
        long predictions = 0, refusals = 0;
        var unexpected = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        for (int round = 0; round < rounds; round++)
        {
            var model = (Seq2SeqTransformer)ml.Model.Load(new MemoryStream(zip), out _);
            using var scoring = new CountdownEvent(Threads);
            var threads = Enumerable.Range(0, Threads).Select(thread => new Thread(() =>
            {
                using var engine = ml.Model.CreatePredictionEngine<SyntheticSequences.Row, Seq2SeqTransformerTests.ScoreRow>(model,
                    new PredictionEngineOptions { OwnsTransformer = false });
                bool signalled = false;
                try
                {
                    for (int i = 0; ; i++)
                    {
                        engine.Predict(rows[(thread + i) % rows.Length]);
                        Interlocked.Increment(ref predictions);
                        if (!signalled)
                        {
                            scoring.Signal();
                            signalled = true;
                        }
                    }
                }
                catch (ObjectDisposedException)
                {
                    Interlocked.Increment(ref refusals);
                }
                catch (Exception ex)
                {
                    unexpected.Enqueue(ex);
                }
                if (!signalled)
                    scoring.Signal();
            })).ToArray();
            foreach (Thread thread in threads)
                thread.Start();
            scoring.Wait();
            model.Dispose();
            foreach (Thread thread in threads)
                thread.Join();
        }
        Console.WriteLine($"rounds {rounds}");
        Console.WriteLine($"predictions {predictions}");
        Console.WriteLine($"refusals {refusals}");
        foreach (Exception ex in unexpected.Take(3))
            Console.Error.WriteLine(ex);
        return unexpected.IsEmpty ? 0 : 3;
    }

    private static float[][] Transform(MLContext ml, ITransformer model, SyntheticSequences.Row[] rows) =>
        model.Transform(ml.Data.LoadFromEnumerable(rows)).GetColumn<float[]>("Score").ToArray();

    private static float[][] Predict(MLContext ml, ITransformer model, SyntheticSequences.Row[] rows, int start)
    {
        // ML.NET's engine disposes its model with itself unless told it does not own it: the model is shared here.
        using var engine = ml.Model.CreatePredictionEngine<SyntheticSequences.Row, Seq2SeqTransformerTests.ScoreRow>(model,
            new PredictionEngineOptions { OwnsTransformer = false });
        var scores = new float[rows.Length][];
        for (int i = 0; i < rows.Length; i++)
        {
            int row = (start + i) % rows.Length;
            scores[row] = engine.Predict(rows[row]).Score.ToArray();
        }
        return scores;
    }
}
