using System;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNetSeq2Seq.Data;
using MLNetSeq2Seq.MLNetInterop;
using MLNetSeq2Seq.Native;
using MLNetSeq2Seq.Networks;
using MLNetSeq2Seq.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetSeq2Seq;

/// <summary>
/// Trains a sequence-to-sequence network. Create it with
/// <c>mlContext.Regression.Trainers.Seq2Seq(options)</c>; <see cref="Fit"/> returns a <see cref="Seq2SeqTransformer"/>.
/// </summary>
public sealed class Seq2SeqEstimator : IEstimator<Seq2SeqTransformer>
{
    private readonly IHostEnvironment _environment;
    private readonly Seq2SeqOptions _options;

    internal Seq2SeqEstimator(IHostEnvironment environment, Seq2SeqOptions options)
    {
        _environment = environment ?? throw new ArgumentNullException(nameof(environment));
        _options = options ?? throw new ArgumentNullException(nameof(options));
    }

    /// <summary>Hooks into the loop, for tests.</summary>
    internal ITrainingObserver? Observer { get; set; }

    /// <summary>
    /// Reads <paramref name="input"/> once, trains, and returns the transformer holding the best epoch's weights.
    /// Options are validated first; shapes come from the columns' dimensions or the options.
    /// </summary>
    public Seq2SeqTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _options.Validate();
        SequenceShapes shapes = SequenceShapes.Resolve(input.Schema, _options);
        if (_options.ValidationSet is IDataView validationView)
            CheckValidationSchema(validationView, shapes);
        TorchRuntime.EnsureLoaded();

        var host = new MLNetHost(_environment, nameof(Seq2SeqEstimator));
        Device device = TorchDevices.Resolve(_options.Device, host);
        int seed = _options.Seed ?? host.Seed ?? Random.Shared.Next();

        SequenceDataset? all = null, validationData = null;
        Seq2SeqNetwork? network = null;
        try
        {
            all = SequenceDataReader.Read(input, _options.FeatureColumnName, _options.LabelColumnName, shapes, device, "Training data");
            SequenceDataset train = all;
            if (_options.ValidationSet is IDataView validationSet)
            {
                validationData = SequenceDataReader.Read(validationSet, _options.FeatureColumnName, _options.LabelColumnName, shapes, device, "ValidationSet");
            }
            else if (_options.ValidationFraction > 0)
            {
                int validationCount = (int)Math.Round(all.Count * _options.ValidationFraction);
                if (validationCount < 1 || validationCount >= all.Count)
                    throw new ArgumentOutOfRangeException(nameof(Seq2SeqOptions.ValidationFraction), _options.ValidationFraction,
                        $"ValidationFraction {_options.ValidationFraction} of {all.Count} rows leaves {validationCount} validation and {all.Count - validationCount} training rows; both need at least one.");
                (train, validationData) = all.SplitLast(validationCount);
            }

            TorchDevices.Seed(seed);
            var architecture = NetworkArchitecture.From(_options, shapes.InputFeatureCount, shapes.OutputFeatureCount, shapes.Horizon);
            network = new Seq2SeqNetwork(architecture);
            network.to(device);

            var trainer = new Seq2SeqTrainer(_options, host, seed, Observer);
            TrainingHistory history = trainer.Train(network, train, validationData);
            var transformer = new Seq2SeqTransformer(network, _options.FeatureColumnName, _options.ScoreColumnName,
                _options.InferenceBatchSize, history, device);
            network = null; // owned by the transformer now
            return transformer;
        }
        finally
        {
            network?.Dispose();
            validationData?.Dispose();
            all?.Dispose();
        }
    }

    /// <summary>The input schema plus the Score column; checks that the feature and label columns exist as float vectors.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        CheckFloatVector(inputSchema, _options.FeatureColumnName, "Feature");
        CheckFloatVector(inputSchema, _options.LabelColumnName, "Label");
        return inputSchema.WithFloatVector(_options.ScoreColumnName);
    }

    private void CheckValidationSchema(IDataView validation, SequenceShapes trainingShapes)
    {
        SequenceShapes validationShapes;
        try
        {
            validationShapes = SequenceShapes.Resolve(validation.Schema, _options);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"ValidationSet does not match the training data: {ex.Message}", nameof(Seq2SeqOptions.ValidationSet), ex);
        }
        if (validationShapes with { InputLength = trainingShapes.InputLength } != trainingShapes)
            throw new ArgumentException($"ValidationSet has shapes {validationShapes}, but the training data has {trainingShapes}.", nameof(Seq2SeqOptions.ValidationSet));
    }

    private static void CheckFloatVector(SchemaShape schema, string name, string role)
    {
        if (!schema.TryFindColumn(name, out SchemaShape.Column column))
            throw new ArgumentOutOfRangeException(nameof(schema), $"{role} column '{name}' is not in the input schema.");
        if (column.Kind == SchemaShape.Column.VectorKind.Scalar || column.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(schema), $"{role} column '{name}' must be a vector of Single (float), but it is {column.Kind} of {column.ItemType}.");
    }
}
