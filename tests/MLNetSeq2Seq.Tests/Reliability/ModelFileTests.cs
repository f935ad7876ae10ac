using System;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.ML;
using Xunit;

namespace MLNetSeq2Seq.Tests.Reliability;

/// <summary>
/// Damaged or foreign model files fail to load with ML.NET's format exception (FormatException) and a message that
/// says what is wrong. ML.NET calls a component's loader by reflection, so where our loader finds the problem the
/// FormatException arrives as the inner exception of a TargetInvocationException.
/// </summary>
public sealed class ModelFileTests
{
    private readonly MLContext _ml = new(seed: 1);

    private byte[] SavedModel(int hiddenSize = 8)
    {
        IDataView data = _ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(48, seed: 5));
        Seq2SeqOptions options = ReliabilityKit.TinyOptions(maxEpochs: 1);
        options.HiddenSize = hiddenSize;
        using Seq2SeqTransformer model = _ml.Regression.Trainers.Seq2Seq(options).Fit(data);
        using var memory = new MemoryStream();
        _ml.Model.Save(model, data.Schema, memory);
        return memory.ToArray();
    }

    private static FormatException LoadFails(byte[] zip)
    {
        Exception error = Assert.ThrowsAny<Exception>(() => Load(zip));
        return ReliabilityKit.Find<FormatException>(error);
    }

    private static void Load(byte[] zip)
    {
        ITransformer model = new MLContext().Model.Load(new MemoryStream(zip), out _);
        ((IDisposable)model).Dispose();
    }

    [Fact]
    public void The_untouched_model_loads_and_round_trips_through_the_zip_helper()
    {
        Load(ModelZip.Read(SavedModel()).ToBytes());
    }

    [Fact]
    public void A_truncated_zip_fails_in_MLNets_zip_reader_with_a_format_error()
    {
        byte[] zip = SavedModel();

        FormatException error = LoadFails(zip[..(zip.Length * 2 / 3)]);

        Assert.Contains("Failed to open a zip archive", error.Message);
        Assert.Contains("End of Central Directory", error.InnerException!.Message);
    }

    [Fact]
    public void A_weights_stream_cut_short_inside_a_valid_zip_says_it_is_truncated()
    {
        var zip = ModelZip.Read(SavedModel());
        zip[ModelZip.WeightsEntry] = zip[ModelZip.WeightsEntry][..^100];

        FormatException error = LoadFails(zip.ToBytes());

        Assert.IsType<TargetInvocationException>(Assert.ThrowsAny<Exception>(() => Load(zip.ToBytes())));
        Assert.Equal("The Seq2SeqTransformer model is damaged and cannot be loaded: stream 'Weights' ends early: the file is truncated", error.Message);
    }

    [Fact]
    public void A_flipped_bit_in_the_weights_fails_the_checksum_instead_of_loading_other_weights()
    {
        var zip = ModelZip.Read(SavedModel());
        byte[] weights = zip[ModelZip.WeightsEntry];
        weights[weights.Length / 2] ^= 0x10; // inside some tensor's values
        zip[ModelZip.WeightsEntry] = weights;

        FormatException error = LoadFails(zip.ToBytes());

        Assert.Contains("stream 'Weights' fails its SHA-256 check: the file was damaged after it was written", error.Message);
    }

    [Fact]
    public void A_flipped_bit_in_the_body_fails_the_checksum()
    {
        var zip = ModelZip.Read(SavedModel());
        byte[] body = zip[ModelZip.BodyEntry];
        body[0x100 + 12] ^= 0x01; // past ML.NET's 256-byte header: inside our block (the batch size and architecture)
        zip[ModelZip.BodyEntry] = body;

        FormatException error = LoadFails(zip.ToBytes());

        Assert.Contains("the model body fails its SHA-256 check", error.Message);
    }

    [Fact]
    public void A_huge_length_field_is_refused_before_any_allocation()
    {
        var zip = ModelZip.Read(SavedModel());
        byte[] weights = zip[ModelZip.WeightsEntry];
        BitConverter.GetBytes(long.MaxValue / 3).CopyTo(weights, 0);
        zip[ModelZip.WeightsEntry] = weights;

        FormatException error = LoadFails(zip.ToBytes());

        Assert.Contains($"stream 'Weights' claims {long.MaxValue / 3} bytes, more than the", error.Message);
    }

    [Theory]
    [InlineData(0x00020001u, 0x00020001u, "was written by a newer MLNetSeq2Seq (model format 0x00020001, readable from format 0x00020001 on); this MLNetSeq2Seq reads formats 0x00010003 to 0x0001000C. Update the MLNetSeq2Seq package to load it.")]
    [InlineData(0x00010001u, 0x00010001u, "was written by an older MLNetSeq2Seq (model format 0x00010001); this MLNetSeq2Seq reads formats 0x00010003 to 0x0001000C. Load it with the version that wrote it, or train the model again.")]
    public void A_model_of_another_format_version_says_which_and_what_to_do(uint written, uint readable, string expected)
    {
        var zip = ModelZip.Read(SavedModel());
        byte[] body = zip[ModelZip.BodyEntry];
        BitConverter.GetBytes(written).CopyTo(body, ModelZip.ModelVerWrittenOffset);
        BitConverter.GetBytes(readable).CopyTo(body, ModelZip.ModelVerReadableOffset);
        zip[ModelZip.BodyEntry] = body;

        FormatException error = LoadFails(zip.ToBytes());

        Assert.Equal("The Seq2SeqTransformer model " + expected, error.Message);
    }

    [Fact]
    public void Weights_of_another_architecture_name_the_tensor_and_both_shapes()
    {
        var zip = ModelZip.Read(SavedModel(hiddenSize: 8));
        zip[ModelZip.WeightsEntry] = ModelZip.Read(SavedModel(hiddenSize: 4))[ModelZip.WeightsEntry]; // a valid block, other shapes

        FormatException error = LoadFails(zip.ToBytes());

        // GRU input weights are (3 × hidden, features): 12 × 2 in the file, 24 × 2 for the saved architecture.
        Assert.Equal("The Seq2SeqTransformer model is damaged and cannot be loaded: weight 'encoder.rnn.weight_ih_l0' is [12, 2] in the file, "
            + "but the saved architecture needs [24, 2]", error.Message);
    }

    [Fact]
    public void Weights_holding_NaN_with_a_valid_checksum_are_refused()
    {
        var zip = ModelZip.Read(SavedModel());
        byte[] payload = ModelZip.CheckedPayload(zip[ModelZip.WeightsEntry]);
        BitConverter.GetBytes(float.NaN).CopyTo(payload, payload.Length - 4); // the last value of the last tensor
        zip[ModelZip.WeightsEntry] = ModelZip.CheckedBlock(payload);

        FormatException error = LoadFails(zip.ToBytes());

        Assert.Matches("weight '.*' holds NaN or infinite values$", error.Message);
    }

    [Fact]
    public void A_forged_architecture_far_larger_than_its_weights_is_refused_before_the_network_is_built()
    {
        var zip = ModelZip.Read(SavedModel());
        // Body payload: int batch (4), then F, O, Horizon, HiddenSize.
        const int hiddenSizeOffset = 4 + 3 * 4;
        zip[ModelZip.BodyEntry] = ModelZip.Resealed(zip[ModelZip.BodyEntry], ModelZip.BodyBlockOffset,
            payload => BitConverter.GetBytes(1 << 20).CopyTo(payload, hiddenSizeOffset));

        FormatException error = LoadFails(zip.ToBytes()); // a GRU of 2^20 hidden units would need terabytes

        Assert.Contains("hidden=1048576", error.Message);
        Assert.Matches(@"needs at least \d+ bytes of weights, but the weights stream holds only \d+$", error.Message);
    }

    [Fact]
    public void A_forged_layer_count_far_beyond_the_weights_tensors_is_refused_before_the_network_is_built()
    {
        var zip = ModelZip.Read(SavedModel());
        // Body payload: int batch (4), then F, O, Horizon, HiddenSize, LayerCount. Small layers pass the byte check:
        // found by ModelFuzzTests, where 1,537 layers of 4 units took 24–48 s to build before the tensor count refused them.
        const int layerCountOffset = 4 + 4 * 4;
        zip[ModelZip.BodyEntry] = ModelZip.Resealed(zip[ModelZip.BodyEntry], ModelZip.BodyBlockOffset,
            payload => BitConverter.GetBytes(600).CopyTo(payload, layerCountOffset)); // 600 layers of 8 units: under the byte check

        FormatException error = LoadFails(zip.ToBytes());

        Assert.Matches(@"the saved architecture has 600 layers, but the weights hold only \d+ tensors \(at least 2 per layer\)$", error.Message);
    }

    [Fact]
    public void A_missing_weights_stream_is_named()
    {
        var zip = ModelZip.Read(SavedModel());
        zip.Entries.RemoveAll(e => e.Name == ModelZip.WeightsEntry);

        FormatException error = LoadFails(zip.ToBytes());

        Assert.Contains("has no 'Weights' stream", error.Message);
    }
}
