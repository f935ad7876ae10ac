using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Tests.Training;

/// <summary>
/// Seq2SeqOptions.AmplitudeAugmentation: the stretch moves each window's target columns and labels about the window's
/// last value by one factor per window within [1/k, k], leaves everything else alone, draws the same factors from the
/// same seed; a network trained with it forecasts windows that swing wider than any it trained on better than one trained
/// without; the option is range-checked and belongs to a checkpoint's identity.
/// </summary>
public sealed class AmplitudeAugmentationTests
{
    private static AmplitudeStretch Stretch(double k, int[] targets) =>
        AmplitudeStretch.For(new Seq2SeqOptions { AmplitudeAugmentation = k }, targets) ?? throw new InvalidOperationException("the stretch is off");

    [Fact]
    public void Target_columns_and_labels_move_about_the_last_value_by_one_factor_per_window_within_the_limit()
    {
        using var scope = torch.NewDisposeScope();
        var generator = new Random(5);
        float[] Values(int n) => Enumerable.Range(0, n).Select(_ => (float)(generator.NextDouble() * 4 - 2)).ToArray();
        const int rows = 64, steps = 10, columns = 3, horizon = 4;
        Tensor features = torch.tensor(Values(rows * steps * columns)).reshape(rows, steps, columns);
        Tensor labels = torch.tensor(Values(rows * horizon * 2)).reshape(rows, horizon, 2);
        // Outputs 0 and 1 are read from input columns 2 and 0; column 1 is a covariate.
        int[] targets = { 2, 0 };
        const double k = 3;

        var (stretchedFeatures, stretchedLabels) = Stretch(k, targets).Apply(features, labels, lengths: null, seed: 17);

        Tensor last = features[.., ^1.., ..];
        Tensor factor = (stretchedFeatures[.., 0, 2] - last[.., 0, 2]) / (features[.., 0, 2] - last[.., 0, 2]); // per window
        double[] factors = factor.data<float>().Select(f => (double)f).ToArray();
        Assert.All(factors, s => Assert.InRange(s, 1 / k - 1e-4, k + 1e-4));
        Assert.True(factors.Max() / factors.Min() > 2, "the factors spread over the range"); // 64 draws from [1/3, 3]
        Tensor s3 = factor.reshape(rows, 1, 1);
        foreach (int column in new[] { 0, 2 })
            AssertClose(last[.., .., column] + s3[.., .., 0] * (features[.., .., column] - last[.., .., column]), stretchedFeatures[.., .., column]);
        AssertClose(features[.., .., 1], stretchedFeatures[.., .., 1]); // the covariate is untouched
        AssertClose(last, stretchedFeatures[.., ^1.., ..]);               // so is the last step
        for (int output = 0; output < 2; output++)
        {
            Tensor origin = last[.., .., targets[output]];
            AssertClose(origin + s3[.., .., 0] * (labels[.., .., output] - origin), stretchedLabels[.., .., output]);
        }

        var (again, _) = Stretch(k, targets).Apply(features, labels, lengths: null, seed: 17);
        var (other, _) = Stretch(k, targets).Apply(features, labels, lengths: null, seed: 18);
        Assert.True(again.equal(stretchedFeatures).all().item<bool>(), "the same seed draws the same factors");
        Assert.False(other.equal(stretchedFeatures).all().item<bool>(), "another seed draws others");
    }

    [Fact]
    public void A_shorter_row_is_stretched_about_its_last_real_step_and_its_padding_is_left_alone()
    {
        using var scope = torch.NewDisposeScope();
        Tensor features = torch.arange(2 * 6, dtype: ScalarType.Float32).reshape(2, 6, 1) + 1;
        Tensor labels = torch.full(new long[] { 2, 2, 1 }, 20f);
        Tensor lengths = torch.tensor(new long[] { 6, 3 });

        var (stretched, stretchedLabels) = Stretch(5, new[] { 0 }).Apply(features, labels, lengths, seed: 3);

        // Row 1 holds 7..12 with 3 real steps: its last real value is 9, and steps 3..5 are padding.
        Assert.Equal(9f, stretched[1, 2, 0].item<float>(), 4);
        AssertClose(features[1, 3.., 0], stretched[1, 3.., 0]);
        float s = (stretched[1, 0, 0].item<float>() - 9) / (7 - 9);
        Assert.Equal(9 + s * (20 - 9), stretchedLabels[1, 0, 0].item<float>(), 3);
        Assert.Equal(6f, stretched[0, 5, 0].item<float>(), 4); // row 0 (1..6) fills the window: its last step stays
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(double.NaN)]
    [InlineData(101)]
    public void Out_of_range_values_are_refused_by_name(double k)
    {
        var options = new Seq2SeqOptions { AmplitudeAugmentation = k };
        var error = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.Equal(nameof(Seq2SeqOptions.AmplitudeAugmentation), error.ParamName);
        Assert.Equal(4, new Seq2SeqForecastingOptions().AmplitudeAugmentation);
    }

    [Fact]
    public void Without_each_outputs_input_column_training_goes_on_without_it_and_the_log_says_so()
    {
        var ml = new MLContext(seed: 1);
        var log = new List<string>();
        ml.Log += (_, e) => { lock (log) log.Add(e.Message); };
        Seq2SeqOptions options = SyntheticSequences.SmallOptions(1);
        options.AmplitudeAugmentation = 2;

        using Seq2SeqTransformer model = ml.Regression.Trainers.Seq2Seq(options).Fit(ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(40, seed: 3)));

        lock (log)
            Assert.Contains(log, m => m.Contains("AmplitudeAugmentation = 2, but the input column of each output is not known"));
    }

    // Windows of sinusoids (random frequency and phase) and their continuation; the amplitude of each drawn from
    // [low, high]. The continuation minus the last value scales with the amplitude.
    private sealed class Wave
    {
        [VectorType(Steps, 1)] public float[] Features { get; set; } = Array.Empty<float>();
        [VectorType(Ahead, 1)] public float[] Label { get; set; } = Array.Empty<float>();
    }

    private const int Steps = 16, Ahead = 4;

    private static Wave[] Waves(int count, double low, double high, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            double amplitude = low + (high - low) * random.NextDouble(), frequency = 0.3 + 0.4 * random.NextDouble(), phase = 2 * Math.PI * random.NextDouble();
            float At(int t) => (float)(amplitude * Math.Sin(frequency * t + phase));
            return new Wave { Features = Enumerable.Range(0, Steps).Select(At).ToArray(), Label = Enumerable.Range(Steps, Ahead).Select(At).ToArray() };
        }).ToArray();
    }

    [Fact]
    public void A_network_trained_with_it_forecasts_wider_swings_than_it_trained_on_better_than_one_trained_without()
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(Waves(384, 0.5, 1.0, seed: 1));
        IDataView wide = ml.Data.LoadFromEnumerable(Waves(128, 3.0, 4.0, seed: 2));
        double TestMse(double k)
        {
            var options = new Seq2SeqOptions
            {
                Family = NetworkFamily.SegmentRecurrent, FamilyOptions = new SegmentRecurrentOptions { SegmentLength = 4 },
                HiddenSize = 32, InstanceNormalization = InstanceNormalization.SubtractLast, ChannelIndependent = true, TargetInputIndices = new[] { 0 },
                BatchSize = 32, MaxEpochs = 12, LearningRate = 3e-3, Seed = 4, AmplitudeAugmentation = k,
            };
            using Seq2SeqTransformer model = ml.Regression.Trainers.Seq2Seq(options).Fit(train);
            return ml.Regression.EvaluateSequence(model.Transform(wide)).MeanSquaredError;
        }

        double without = TestMse(1), with = TestMse(4);

        Assert.True(with < 0.7 * without, $"test MSE on windows 3–4× wider than training's: {with:G4} with a stretch of up to 4, {without:G4} without");
    }

    private static void AssertClose(Tensor expected, Tensor actual) =>
        Assert.True(torch.allclose(actual, expected, rtol: 1e-5, atol: 1e-5), $"largest difference {(actual - expected).abs().max().item<float>():G3}");
}
