using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.Tests.Reliability;
using Xunit;

namespace MLNetSeq2Seq.Tests.Data;

/// <summary>
/// One check per rule, whatever the entry point: a sequence column that is missing or not a vector of Single is an
/// ArgumentOutOfRangeException worded like ML.NET's schema mismatch, and a NaN or infinite value read from the data is
/// an InvalidOperationException that names the column, the row and the place, then says what to do.
/// </summary>
public sealed class ColumnCheckConsistencyTests : IClassFixture<ColumnCheckConsistencyTests.TrainedModel>
{
    private const string DoubleFeaturesMessage = @"^Schema mismatch for (feature|label|score) column 'Features': expected Vector<Single>, got Vector<Double(, 12, 2)?>\. "
        + @"Convert it first: mlContext\.Transforms\.Conversion\.ConvertType\(""Features"", outputKind: DataKind\.Single\)\. \(Parameter '\w+'\)$";
    // The estimators and the evaluators are told to read 'Sensors'; the trained model reads 'Features', which the data lacks.
    private const string MissingColumnMessage = @"^Could not find (feature|label|score) column '(Sensors|Features)'\. The columns are: '[^']+'(, '[^']+')*\.( Set \w+ to the column that holds the sequences\.)? \(Parameter '\w+'\)$";
    private const string NonFiniteMessage = @"^(\w[\w ]*: )?(Feature|Label|Score|Series) column '\w+' row \d+ holds NaN( at index \d+ \(time step \d+, feature \d+\))?; \S.*\.$";

    private static readonly MLContext s_ml = new(seed: 1);
    private readonly TrainedModel _trained;

    public ColumnCheckConsistencyTests(TrainedModel trained) => _trained = trained;

    /// <summary>A small model trained once for the scoring entry points.</summary>
    public sealed class TrainedModel : IDisposable
    {
        public TrainedModel() => Model = s_ml.Regression.Trainers.Seq2Seq(ReliabilityKit.TinyOptions(maxEpochs: 1)).Fit(Synthetic());

        public Seq2SeqTransformer Model { get; }

        public void Dispose() => Model.Dispose();
    }

    private static IDataView Synthetic(int count = 24, int seed = 3) => s_ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(count, seed));

    /// <summary>The synthetic rows with the Features column as Vector&lt;Double, 12, 2&gt; (a pipeline's shape says only Vector&lt;Double&gt;).</summary>
    private static IDataView DoubleFeatures() =>
        s_ml.Transforms.Conversion.ConvertType("Features", outputKind: DataKind.Double).Fit(Synthetic()).Transform(Synthetic());

    public static TheoryData<string> SchemaEntryPoints() => new()
    {
        "Fit", "FindSeq2SeqLearningRate", "Estimator.GetOutputSchema", "Transform", "Transformer.GetOutputSchema",
        "GetRowToRowMapper", "EvaluateSequence", "EvaluateSeq2SeqBaselines",
    };

    /// <summary>Runs <paramref name="entryPoint"/> on <paramref name="data"/>, with <paramref name="column"/> as its sequence column.</summary>
    private void Run(string entryPoint, IDataView data, string column)
    {
        Seq2SeqOptions options = ReliabilityKit.TinyOptions(maxEpochs: 1);
        options.FeatureColumnName = column;
        switch (entryPoint)
        {
            case "Fit": s_ml.Regression.Trainers.Seq2Seq(options).Fit(data).Dispose(); break;
            case "FindSeq2SeqLearningRate": s_ml.Regression.Trainers.FindSeq2SeqLearningRate(data, options); break;
            case "Estimator.GetOutputSchema": s_ml.Regression.Trainers.Seq2Seq(options).GetOutputSchema(SchemaShape.Create(data.Schema)); break;
            // The model reads "Features": a data view without it, or with it as doubles.
            case "Transform": _trained.Model.Transform(WithoutFeaturesWhenMissing(data, column)); break;
            case "Transformer.GetOutputSchema": _trained.Model.GetOutputSchema(WithoutFeaturesWhenMissing(data, column).Schema); break;
            case "GetRowToRowMapper": _trained.Model.GetRowToRowMapper(WithoutFeaturesWhenMissing(data, column).Schema); break;
            case "EvaluateSequence": s_ml.Regression.EvaluateSequence(data, labelColumnName: "Label", scoreColumnName: column); break;
            case "EvaluateSeq2SeqBaselines": s_ml.Forecasting.EvaluateSeq2SeqBaselines(data, data, featureColumnName: column); break;
            default: throw new ArgumentOutOfRangeException(nameof(entryPoint), entryPoint, "unknown entry point");
        }
    }

    private static IDataView WithoutFeaturesWhenMissing(IDataView data, string column) =>
        column == "Features" ? data : s_ml.Transforms.DropColumns("Features").Fit(data).Transform(data);

    [Theory]
    [MemberData(nameof(SchemaEntryPoints))]
    public void A_sequence_column_of_doubles_gets_the_same_schema_mismatch_everywhere(string entryPoint)
    {
        Exception error = Assert.ThrowsAny<Exception>(() => Run(entryPoint, DoubleFeatures(), "Features"));

        Assert.IsType<ArgumentOutOfRangeException>(error);
        Assert.Matches(DoubleFeaturesMessage, error.Message);
    }

    [Theory]
    [MemberData(nameof(SchemaEntryPoints))]
    public void A_missing_sequence_column_gets_the_same_message_everywhere(string entryPoint)
    {
        Exception error = Assert.ThrowsAny<Exception>(() => Run(entryPoint, Synthetic(), "Sensors"));

        Assert.IsType<ArgumentOutOfRangeException>(error);
        Assert.Matches(MissingColumnMessage, error.Message);
    }

    public static TheoryData<string> ValueEntryPoints() => new()
    {
        "Fit", "Fit (ValidationSet)", "FindSeq2SeqLearningRate", "Transform", "PredictionEngine", "EvaluateSequence", "CreateSequenceWindows",
    };

    [Theory]
    [MemberData(nameof(ValueEntryPoints))]
    public void A_NaN_in_the_data_gets_the_same_error_shape_everywhere(string entryPoint)
    {
        var rows = SyntheticSequences.Generate(24, seed: 3);
        rows[5].Features[3] = float.NaN;
        rows[5].Label[1] = float.NaN;
        IDataView bad = s_ml.Data.LoadFromEnumerable(rows);
        Seq2SeqOptions options = ReliabilityKit.TinyOptions(maxEpochs: 1);

        Exception error = Assert.ThrowsAny<Exception>(() =>
        {
            switch (entryPoint)
            {
                case "Fit": s_ml.Regression.Trainers.Seq2Seq(options).Fit(bad).Dispose(); break;
                case "Fit (ValidationSet)": options.ValidationSet = bad; s_ml.Regression.Trainers.Seq2Seq(options).Fit(Synthetic()).Dispose(); break;
                case "FindSeq2SeqLearningRate": s_ml.Regression.Trainers.FindSeq2SeqLearningRate(bad, options); break;
                case "Transform": _trained.Model.Transform(bad).GetColumn<float[]>("Score").ToArray(); break;
                case "PredictionEngine":
                    using (var engine = s_ml.Model.CreatePredictionEngine<SyntheticSequences.Row, Seq2SeqTransformerTests.ScoreRow>(_trained.Model,
                        new PredictionEngineOptions { OwnsTransformer = false }))
                        engine.Predict(rows[5]);
                    break;
                case "EvaluateSequence": s_ml.Regression.EvaluateSequence(bad, labelColumnName: "Label", scoreColumnName: "Label"); break;
                case "CreateSequenceWindows":
                    var series = GeneratedSeries.Create(40);
                    series[17].B = float.NaN;
                    s_ml.Data.CreateSequenceWindows(GeneratedSeries.Load(s_ml, series),
                        new SequenceWindowOptions { InputColumnNames = new[] { "A", "B" }, InputLength = 8, Horizon = 2 });
                    break;
                default: throw new ArgumentOutOfRangeException(nameof(entryPoint), entryPoint, "unknown entry point");
            }
        });

        Assert.IsType<InvalidOperationException>(error);
        Assert.Matches(NonFiniteMessage, error.Message);
        // A prediction engine sees one row at a time: its row is always row 0.
        Assert.Contains(entryPoint switch { "CreateSequenceWindows" => "row 17 holds NaN", "PredictionEngine" => "row 0 holds NaN", _ => "row 5 holds NaN" }, error.Message);
    }
}
