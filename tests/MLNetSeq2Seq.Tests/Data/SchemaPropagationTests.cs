using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.Tests.Reliability;
using Xunit;

namespace MLNetSeq2Seq.Tests.Data;

/// <summary>
/// Schemas as ML.NET users rely on them: window views name their slots ("B@t-1", "B@t+1"), the Score column takes the
/// label's names through Fit, pipelines, save and load, every input column keeps its annotations, and a pipeline's
/// schema check refuses what Fit would refuse, with Fit's own error.
/// </summary>
public sealed class SchemaPropagationTests
{
    private const int InputLength = 4, Horizon = 3;
    private static readonly string[] s_inputs = { "A", "B", "C" };
    private static readonly string[] s_targets = { "B", "A" };
    private readonly MLContext _ml = new(seed: 1);

    private IDataView Windows() => _ml.Data.CreateSequenceWindows(GeneratedSeries.Load(_ml, GeneratedSeries.Create(60)),
        new SequenceWindowOptions { InputColumnNames = s_inputs, TargetColumnNames = s_targets, InputLength = InputLength, Horizon = Horizon });

    private static string[] SlotNames(DataViewSchema.Column column)
    {
        if (column.Annotations.Schema.GetColumnOrNull("SlotNames") is null)
            return Array.Empty<string>();
        VBuffer<ReadOnlyMemory<char>> names = default;
        column.Annotations.GetValue("SlotNames", ref names);
        return names.DenseValues().Select(n => n.ToString()).ToArray();
    }

    private static Seq2SeqOptions Options()
    {
        Seq2SeqOptions options = ReliabilityKit.TinyOptions(maxEpochs: 1);
        options.InstanceNormalization = InstanceNormalization.None;
        return options;
    }

    [Fact]
    public void Window_views_name_each_slot_by_column_and_time_step()
    {
        DataViewSchema schema = Windows().Schema;

        string[] features = SlotNames(schema["Features"]), label = SlotNames(schema["Label"]);

        // Time-major: step t, column c at t × columns + c; the last input step is "t", the first target step "t+1".
        Assert.Equal(InputLength * s_inputs.Length, features.Length);
        Assert.Equal(Horizon * s_targets.Length, label.Length);
        for (int t = 0; t < InputLength; t++)
            for (int c = 0; c < s_inputs.Length; c++)
                Assert.Equal(t == InputLength - 1 ? $"{s_inputs[c]}@t" : $"{s_inputs[c]}@t-{InputLength - 1 - t}", features[t * s_inputs.Length + c]);
        for (int h = 0; h < Horizon; h++)
            for (int k = 0; k < s_targets.Length; k++)
                Assert.Equal($"{s_targets[k]}@t+{h + 1}", label[h * s_targets.Length + k]);
    }

    [Fact]
    public void The_Score_column_takes_the_labels_slot_names_through_a_pipeline_save_and_load()
    {
        IDataView windows = Windows();
        string[] labelNames = SlotNames(windows.Schema["Label"]);
        string[] featureNames = SlotNames(windows.Schema["Features"]);
        var pipeline = _ml.Transforms.NormalizeMeanVariance("Features").Append(_ml.Regression.Trainers.Seq2Seq(Options()));

        SchemaShape shape = pipeline.GetOutputSchema(SchemaShape.Create(windows.Schema));
        var model = pipeline.Fit(windows);
        DataViewSchema scored = model.Transform(windows).Schema;
        using var saved = new MemoryStream();
        _ml.Model.Save(model, windows.Schema, saved);
        model.LastTransformer.Dispose();
        ITransformer loaded = _ml.Model.Load(new MemoryStream(saved.ToArray()), out _);
        // At prediction time there is no label: the names come from the model.
        IDataView featuresOnly = _ml.Transforms.DropColumns("Label").Fit(windows).Transform(windows);
        DataViewSchema loadedScored = loaded.GetOutputSchema(featuresOnly.Schema);

        Assert.True(shape.TryFindColumn("Score", out SchemaShape.Column scoreShape));
        Assert.True(scoreShape.Annotations.TryFindColumn("SlotNames", out _), "the pipeline's shape of Score has no SlotNames");
        Assert.Equal(labelNames, SlotNames(scored["Score"]));
        Assert.Equal(labelNames, SlotNames(loadedScored["Score"]));
        // Input columns pass through with their annotations, as ML.NET's ColumnCopying does.
        Assert.Equal(featureNames, SlotNames(scored["Features"]));
        Assert.Equal(labelNames, SlotNames(scored["Label"]));
        Assert.Equal(featureNames, SlotNames(loadedScored["Features"]));
        ((TransformerChain<ITransformer>)loaded).OfType<Seq2SeqTransformer>().Single().Dispose();
    }

    [Fact]
    public void A_label_without_slot_names_gives_a_Score_column_without_them()
    {
        IDataView data = _ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(24, seed: 2));

        using Seq2SeqTransformer model = _ml.Regression.Trainers.Seq2Seq(Options()).Fit(data);

        Assert.Empty(SlotNames(model.GetOutputSchema(data.Schema)["Score"]));
    }

    [Fact]
    public void A_pipelines_schema_check_refuses_an_option_out_of_range_with_Fits_error()
    {
        IDataView data = _ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(24, seed: 2));
        Seq2SeqOptions options = Options();
        options.Horizon = 0;
        var estimator = _ml.Regression.Trainers.Seq2Seq(options);

        var fromShape = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(SchemaShape.Create(data.Schema)));
        var fromFit = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Fit(data));

        Assert.Equal(nameof(Seq2SeqOptions.Horizon), fromShape.ParamName);
        Assert.Equal(fromFit.Message, fromShape.Message);
    }

    [Fact]
    public void A_pipelines_schema_check_refuses_a_variable_length_label_without_its_shape_with_Fits_error()
    {
        IDataView data = _ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(24, seed: 2).Select(r => new VariableLabelRow { Features = r.Features, Label = r.Label }));
        var estimator = _ml.Regression.Trainers.Seq2Seq(Options()); // no Horizon, no OutputFeatureCount

        var fromShape = Assert.Throws<ArgumentException>(() => estimator.GetOutputSchema(SchemaShape.Create(data.Schema)));
        var fromFit = Assert.Throws<ArgumentException>(() => estimator.Fit(data));
        Seq2SeqOptions withShape = Options();
        withShape.Horizon = SyntheticSequences.Horizon;
        withShape.OutputFeatureCount = SyntheticSequences.FeatureCount;
        SchemaShape accepted = _ml.Regression.Trainers.Seq2Seq(withShape).GetOutputSchema(SchemaShape.Create(data.Schema));

        Assert.Equal(nameof(Seq2SeqOptions.Horizon), fromShape.ParamName);
        Assert.Equal(fromFit.Message, fromShape.Message);
        Assert.True(accepted.TryFindColumn("Score", out _));
    }

    public sealed class VariableLabelRow
    {
        [VectorType(SyntheticSequences.InputLength, SyntheticSequences.FeatureCount)]
        public float[] Features { get; set; } = Array.Empty<float>();

        public float[] Label { get; set; } = Array.Empty<float>();
    }
}
