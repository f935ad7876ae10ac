using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.ML;
using MLNetSeq2Seq.Networks;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Tests.Reliability;

/// <summary>Fits draw their initial weights and dropout masks from their own seed, whatever else the process draws.</summary>
[Collection(GlobalTorchGenerator.Name)]
public sealed class RandomIsolationTests
{
    private static Seq2SeqOptions DropoutOptions()
    {
        // Dropout inside the stack (two layers) and on the output: every training step draws masks.
        Seq2SeqOptions options = ReliabilityKit.TinyOptions(maxEpochs: 3);
        options.LayerCount = 2;
        options.Dropout = 0.3;
        options.Seed = 11;
        return options;
    }

    private static byte[] FitWeights(IDataView data) => FitWeights(data, DropoutOptions());

    private static byte[] FitWeights(IDataView data, Seq2SeqOptions options)
    {
        var ml = new MLContext(seed: 1);
        using Seq2SeqTransformer model = ml.Regression.Trainers.Seq2Seq(options).Fit(data);
        return NetworkWeights.Save(model.Network);
    }

    // Both recurrent families, with dropout between two recurrent layers and before the head, in memory and streamed.
    public static TheoryData<NetworkFamily, int?> Configurations() => new()
    {
        { NetworkFamily.AutoregressiveEncoderDecoder, null },
        { NetworkFamily.AutoregressiveEncoderDecoder, 64 },
        { NetworkFamily.SegmentRecurrent, null },
        { NetworkFamily.SegmentRecurrent, 64 },
    };

    private static Seq2SeqOptions Configured(NetworkFamily family, int? streamingPool)
    {
        Seq2SeqOptions options = DropoutOptions();
        options.Family = family;
        options.FamilyOptions = family == NetworkFamily.SegmentRecurrent ? new SegmentRecurrentOptions { SegmentLength = 2 } : null;
        options.Streaming = streamingPool is int rows ? new() { ShufflePoolRows = rows } : null;
        return options;
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public async Task A_thread_building_TorchSharp_modules_and_drawing_from_torch_changes_no_weight_of_a_Fit(NetworkFamily family, int? streamingPool)
    {
        // The experiment of issue #24: before each network had its own generators, every weight of this Fit changed.
        IDataView data = Data();
        byte[] alone = FitWeights(data, Configured(family, streamingPool));

        using var stop = new CancellationTokenSource();
        int built = 0;
        Task builder = Task.Factory.StartNew(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var scope = torch.NewDisposeScope();
                using var lstm = torch.nn.LSTM(3, 16, 1);
                using var linear = torch.nn.Linear(8, 8);
                torch.rand(64).Dispose();
                Interlocked.Increment(ref built);
            }
        }, TaskCreationOptions.LongRunning);
        byte[] beside;
        try
        {
            beside = FitWeights(data, Configured(family, streamingPool));
        }
        finally
        {
            stop.Cancel();
            await builder;
        }

        Assert.True(built > 0, "the other thread built no module while the Fit ran");
        Assert.Equal(alone, beside);
    }

    [Fact]
    public void Dropout_draws_masks_in_training_so_the_isolation_tests_see_random_regions()
    {
        // Without dropout masks, the tests above would only cover initialisation: two Fits whose seeds differ only in
        // the dropout region must differ.
        IDataView data = Data();
        Seq2SeqOptions withDropout = Configured(NetworkFamily.AutoregressiveEncoderDecoder, null);
        Seq2SeqOptions without = Configured(NetworkFamily.AutoregressiveEncoderDecoder, null);
        without.Dropout = 0;

        Assert.NotEqual(FitWeights(data, withDropout), FitWeights(data, without));
    }

    private static IDataView Data() => new MLContext(seed: 1).Data.LoadFromEnumerable(SyntheticSequences.Generate(160, seed: 3));

    [Fact]
    public async Task Two_Fits_with_the_same_seed_on_two_threads_give_the_weights_of_one_Fit_alone()
    {
        IDataView data = Data();
        byte[] alone = FitWeights(data);

        using var start = new Barrier(2);
        Task<byte[]>[] parallel = Enumerable.Range(0, 2).Select(_ => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            return FitWeights(data);
        }, TaskCreationOptions.LongRunning)).ToArray();
        byte[][] weights = await Task.WhenAll(parallel);

        Assert.Equal(alone, weights[0]);
        Assert.Equal(alone, weights[1]);
    }

    [Fact]
    public async Task Loading_models_during_a_Fit_changes_none_of_its_weights()
    {
        IDataView data = Data();
        byte[] alone = FitWeights(data);
        using var folder = new TemporaryFolder();
        var ml = new MLContext(seed: 1);
        using (Seq2SeqTransformer small = ml.Regression.Trainers.Seq2Seq(ReliabilityKit.TinyOptions(maxEpochs: 1)).Fit(data))
            ml.Model.Save(small, data.Schema, folder.File("model.zip"));

        using var stop = new CancellationTokenSource();
        int loads = 0;
        Task loader = Task.Factory.StartNew(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var loaded = (IDisposable)ml.Model.Load(folder.File("model.zip"), out _);
                Interlocked.Increment(ref loads);
            }
        }, TaskCreationOptions.LongRunning);
        byte[] duringLoads = FitWeights(data);
        stop.Cancel();
        await loader;

        Assert.True(loads > 0);
        Assert.Equal(alone, duringLoads);
    }

    [Fact]
    public void Fit_and_Load_leave_the_callers_torch_generator_as_they_found_it()
    {
        IDataView data = Data();
        using var folder = new TemporaryFolder();
        var ml = new MLContext(seed: 1);

        torch.random.manual_seed(2024);
        float[] expected = torch.rand(16).data<float>().ToArray();

        torch.random.manual_seed(2024);
        using (Seq2SeqTransformer model = ml.Regression.Trainers.Seq2Seq(DropoutOptions()).Fit(data))
            ml.Model.Save(model, data.Schema, folder.File("model.zip"));
        using (var loaded = (IDisposable)ml.Model.Load(folder.File("model.zip"), out _)) { }
        float[] after = torch.rand(16).data<float>().ToArray();

        Assert.Equal(expected, after);
    }
}
