namespace MLNetSeq2Seq;

/// <summary>
/// The options of <c>mlContext.Forecasting.Seq2Seq</c>: a new instance <em>is</em> the forecasting recipe, so
/// <c>new Seq2SeqForecastingOptions { Horizon = 96, ValidationSet = validation }</c> trains the same network as
/// <c>mlContext.Forecasting.Seq2Seq(horizon: 96, validationSet: validation)</c>. The recipe's defaults, where they differ
/// from <see cref="Seq2SeqOptions"/>: <see cref="Seq2SeqOptions.Family"/> = SegmentRecurrent,
/// <see cref="SegmentRecurrentOptions.SegmentLength"/> = 24 steps (the family's own default, so the recipe sets no
/// <see cref="Seq2SeqOptions.FamilyOptions"/> and <see cref="Seq2SeqOptions.Family"/> can be switched freely),
/// <see cref="Seq2SeqOptions.HiddenSize"/> = 256,
/// <see cref="Seq2SeqOptions.Dropout"/> = 0.5, <see cref="Seq2SeqOptions.InstanceNormalization"/> = SubtractLast,
/// <see cref="Seq2SeqOptions.ChannelIndependent"/> = null (true where every output's input column is known),
/// <see cref="Seq2SeqOptions.BatchSize"/> = 256, <see cref="Seq2SeqOptions.LearningRate"/> = 1e-3,
/// <see cref="Seq2SeqOptions.WeightDecay"/> = 0, <see cref="Seq2SeqOptions.Schedule"/> with
/// <see cref="LearningRateScheduleOptions.Kind"/> = ReduceOnPlateau (halve, <see cref="LearningRateScheduleOptions.PlateauFactor"/>
/// = 0.5, after <see cref="LearningRateScheduleOptions.PlateauPatience"/> = 2 epochs without validation improvement),
/// <see cref="Seq2SeqOptions.EarlyStopping"/> with <see cref="EarlyStoppingOptions.Patience"/> = 4 epochs,
/// <see cref="Seq2SeqOptions.MaxEpochs"/> = 30, <see cref="Seq2SeqOptions.TeacherForcingRatio"/> = 0,
/// <see cref="Seq2SeqOptions.Loss"/> = MeanAbsoluteError (robust to spikes), <see cref="Seq2SeqOptions.AmplitudeAugmentation"/>
/// = 4 (training windows stretched about their last value by up to 4× either way), early-stopped on
/// <see cref="EarlyStoppingOptions.Metric"/> = MeanSquaredError, and <see cref="Seq2SeqOptions.BaselineComparison"/> =
/// Select (the network is kept only when it beats persistence and the closed-form linear forecaster on the validation
/// windows). Every other option, including the other settings of those two groups, keeps its general default.
/// Set <see cref="Seq2SeqOptions.Horizon"/> (or let the label's dimensions give it) and validation data.
/// </summary>
public sealed class Seq2SeqForecastingOptions : Seq2SeqOptions
{
    /// <summary>The forecasting recipe (see the class remarks).</summary>
    public Seq2SeqForecastingOptions()
    {
        Family = NetworkFamily.SegmentRecurrent;
        HiddenSize = 256;
        Dropout = 0.5;
        InstanceNormalization = InstanceNormalization.SubtractLast;
        ChannelIndependent = null;
        BatchSize = 256;
        LearningRate = 1e-3;
        WeightDecay = 0;
        Schedule = new() { Kind = LearningRateSchedule.ReduceOnPlateau, PlateauPatience = 2, PlateauFactor = 0.5 };
        MaxEpochs = 30;
        EarlyStopping = new() { Patience = 4, Metric = LossFunction.MeanSquaredError };
        TeacherForcingRatio = 0;
        Loss = LossFunction.MeanAbsoluteError;
        AmplitudeAugmentation = 4;
        BaselineComparison = BaselineComparison.Select;
    }
}
