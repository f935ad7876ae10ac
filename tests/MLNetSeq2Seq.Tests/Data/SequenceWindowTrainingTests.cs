using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace MLNetSeq2Seq.Tests.Data;

public sealed class SequenceWindowTrainingTests
{
    [Fact]
    public void The_trainer_fits_windows_of_a_series_taking_every_shape_from_the_column_dimensions()
    {
        var ml = new MLContext(seed: 1);
        const int L = 12, H = 4;
        string[] inputs = { "A", "B", "C" }, targets = { "A", "B" };
        IDataView series = GeneratedSeries.Load(ml, GeneratedSeries.Create(260));
        SequenceWindowSplit split = ml.Data.SplitSequenceWindowsChronologically(series,
            new SequenceWindowOptions { InputColumnNames = inputs, TargetColumnNames = targets, InputLength = L, Horizon = H },
            new ChronologicalSplit(180, 220, 260));

        // No counts in the options: F, O and H must come from the windows' [steps, columns] dimensions.
        using Seq2SeqTransformer model = ml.Regression.Trainers.Seq2Seq(new Seq2SeqOptions { MaxEpochs = 2, HiddenSize = 16, ValidationSet = split.Validation })
            .Fit(split.Train);
        IDataView scored = model.Transform(split.Test);
        SequenceRegressionMetrics metrics = ml.Regression.EvaluateSequence(scored);

        var score = Assert.IsType<VectorDataViewType>(scored.Schema["Score"].Type);
        Assert.Equal(new[] { H, targets.Length }, score.Dimensions.ToArray());
        Assert.Equal(split.Test.GetRowCount(), metrics.SequenceCount);
        Assert.Equal(H, metrics.MeanSquaredErrorPerStep.Count);
        Assert.Equal(targets.Length, metrics.MeanSquaredErrorPerFeature.Count);
        Assert.Equal(2, model.TrainingHistory.Epochs.Count);
        Assert.All(model.TrainingHistory.Epochs, e => Assert.NotNull(e.ValidationLoss));
    }
}
