using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;

namespace MLNetSeq2Seq.Tests.Onnx;

/// <summary>
/// The deployment path of examples/Deploy: mlContext.Forecasting.Seq2Seq's defaults (segment-recurrent family,
/// SubtractLast, channel independence) trained on a window view, exported with ConvertToOnnx, scored by ONNX Runtime.
/// </summary>
public sealed class OnnxForecastingRecipeTests
{
    private const double Tolerance = 1e-5;
    private const int InputLength = 30, InputCount = 3; // ForecastingTests.Windows: L = 30 (not a multiple of the segment length 24), 3 inputs

    public sealed class WindowFeatures
    {
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    [Fact]
    public void The_forecasting_defaults_export_from_the_feature_windows_to_a_graph_that_ONNX_Runtime_scores_like_Transform()
    {
        var ml = new MLContext(seed: 1);
        SequenceWindowSplit split = ForecastingTests.Windows(ml); // z-scored with the training rows' statistics
        using Seq2SeqTransformer model = FitForecastingDefaults(ml, split);
        Assert.Equal(NetworkFamily.SegmentRecurrent, model.Network.Architecture.Family);
        Assert.Equal(InstanceNormalization.SubtractLast, model.Network.Architecture.Normalization);
        Assert.True(model.Network.Architecture.ChannelIndependent);

        // What examples/Deploy gives the converter: the feature windows alone, in a column of fixed shape L × F.
        float[][] windows = split.Test.GetColumn<float[]>("Features").ToArray();
        SchemaDefinition schema = SchemaDefinition.Create(typeof(WindowFeatures));
        schema[nameof(WindowFeatures.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, InputLength, InputCount);
        IDataView features = ml.Data.LoadFromEnumerable(windows.Select(w => new WindowFeatures { Features = w }), schema);
        string path = OnnxExportKit.Export(ml, model, features, "forecasting-recipe");
        try
        {
            Assert.Equal(new[] { "Features" }, OnnxExportKit.GraphNames(path).Inputs);
            float[] expected = OnnxExportKit.Scores(model, split.Test);
            Assert.Equal(expected, OnnxExportKit.Scores(model, features)); // the same windows, whichever view holds them

            float[] actual = Run(path, windows, ("Features", windows, InputLength, InputCount));

            double difference = OnnxExportKit.MaxAbsoluteDifference(expected, actual);
            Assert.True(difference < Tolerance, $"ONNX Runtime differs from Transform by up to {difference:G3}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_graph_exported_from_the_whole_window_view_takes_the_Label_column_as_a_second_input()
    {
        // ML.NET's converter makes a graph input of every column of the view it is given, used or not: exported from
        // the window view itself, the graph asks for Label too (docs/deploying.md tells users to give it the features only).
        var ml = new MLContext(seed: 1);
        SequenceWindowSplit split = ForecastingTests.Windows(ml);
        using Seq2SeqTransformer model = FitForecastingDefaults(ml, split);
        string path = OnnxExportKit.Export(ml, model, split.Test, "forecasting-window-view");
        try
        {
            Assert.Equal(new[] { "Features", "Label" }, OnnxExportKit.GraphNames(path).Inputs.OrderBy(n => n, StringComparer.Ordinal));

            // Fed both, it computes Transform's scores: Label only passes through.
            float[][] windows = split.Test.GetColumn<float[]>("Features").ToArray(), labels = split.Test.GetColumn<float[]>("Label").ToArray();
            float[] actual = Run(path, windows, ("Features", windows, InputLength, InputCount), ("Label", labels, 10, 2));

            double difference = OnnxExportKit.MaxAbsoluteDifference(OnnxExportKit.Scores(model, split.Test), actual);
            Assert.True(difference < Tolerance, $"ONNX Runtime differs from Transform by up to {difference:G3}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>mlContext.Forecasting.Seq2Seq's defaults, made tiny (8 hidden units, one epoch) so the test stays short.</summary>
    private static Seq2SeqTransformer FitForecastingDefaults(MLContext ml, SequenceWindowSplit split)
    {
        var options = new Seq2SeqForecastingOptions();
        options.Horizon = 10;
        options.HiddenSize = 8;
        options.MaxEpochs = 1;
        options.Seed = 2;
        return ml.Forecasting.Seq2Seq(options).Fit(split.Train);
    }

    /// <summary>ONNX Runtime on the graph at <paramref name="path"/>: each input (name, rows, two dimensions) as an (N, d1, d2) tensor; Score.output flattened.</summary>
    private static float[] Run(string path, float[][] rows, params (string Name, float[][] Values, int D1, int D2)[] inputs)
    {
        using var session = new InferenceSession(path);
        var values = inputs.Select(i => NamedOnnxValue.CreateFromTensor(i.Name,
            new DenseTensor<float>(i.Values.SelectMany(v => v).ToArray(), new[] { rows.Length, i.D1, i.D2 }))).ToArray();
        using var results = session.Run(values, new[] { "Score.output" });
        return results.Single().AsEnumerable<float>().ToArray();
    }
}
