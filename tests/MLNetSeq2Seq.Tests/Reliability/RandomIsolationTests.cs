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

    private static byte[] FitWeights(IDataView data)
    {
        var ml = new MLContext(seed: 1);
        using Seq2SeqTransformer model = ml.Regression.Trainers.Seq2Seq(DropoutOptions()).Fit(data);
        return NetworkWeights.Save(model.Network);
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
