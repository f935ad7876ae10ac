using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNetSeq2Seq;
using MLNetSeq2Seq.Data;
using MLNetSeq2Seq.MLNetInterop;
using MLNetSeq2Seq.Native;
using MLNetSeq2Seq.Networks;
using MLNetSeq2Seq.Training;
using TorchSharp;
using static TorchSharp.torch;

[assembly: LoadableClass(typeof(Seq2SeqTransformer), null, typeof(SignatureLoadModel), "Seq2Seq Transformer", Seq2SeqTransformer.LoaderSignature)]

namespace MLNetSeq2Seq;

/// <summary>
/// A trained sequence-to-sequence model. <see cref="Transform"/> lazily adds the predicted sequence column
/// (Horizon × OutputFeatureCount floats, time-major), running the network on blocks of rows. Saves and loads
/// with <c>mlContext.Model.Save/Load</c>. Holds native tensors: dispose it when done.
/// </summary>
public sealed class Seq2SeqTransformer : ITransformer, ICanSaveModel, IDisposable, ISequenceScorer
{
    internal const string LoaderSignature = "Seq2SeqTransformer";

    // Format history:
    //   0x00010001  initial: columns, batch size, architecture, history, weights stream.
    private static readonly ModelFormat s_format = new("S2SEQTRF", LoaderSignature, 0x00010001, 0x00010001, typeof(Seq2SeqTransformer));
    private const string WeightsStreamName = "Weights";

    private readonly Seq2SeqNetwork _network;
    private readonly Device _device;
    private bool _disposed;

    internal Seq2SeqTransformer(Seq2SeqNetwork network, string featureColumnName, string scoreColumnName,
        int inferenceBatchSize, TrainingHistory history, Device device)
    {
        _network = network;
        _device = device;
        _network.eval();
        FeatureColumnName = featureColumnName;
        ScoreColumnName = scoreColumnName;
        InferenceBatchSize = inferenceBatchSize;
        TrainingHistory = history;
    }

    /// <summary>The input sequence column.</summary>
    public string FeatureColumnName { get; }

    /// <summary>The column Transform adds.</summary>
    public string ScoreColumnName { get; }

    /// <summary>Rows per forward pass in Transform.</summary>
    public int InferenceBatchSize { get; }

    /// <summary>Values per input step (F).</summary>
    public int InputFeatureCount => _network.Architecture.InputFeatureCount;

    /// <summary>Values per predicted step (O).</summary>
    public int OutputFeatureCount => _network.Architecture.OutputFeatureCount;

    /// <summary>Predicted steps (H).</summary>
    public int Horizon => _network.Architecture.Horizon;

    /// <summary>Per-epoch losses, learning rates and times of the Fit that produced this model (kept through save/load).</summary>
    public TrainingHistory TrainingHistory { get; }

    /// <summary>Always true: the transformer maps rows one to one, so prediction engines work.</summary>
    public bool IsRowToRowMapper => true;

    internal Seq2SeqNetwork Network => _network;

    /// <summary>The input schema plus the score column, shaped [Horizon, OutputFeatureCount].</summary>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => CreateMapper(inputSchema).OutputSchema;

    /// <summary>Adds the score column lazily; the network runs on blocks of <see cref="InferenceBatchSize"/> rows when a cursor moves.</summary>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ThrowIfDisposed();
        CheckInputSchema(input.Schema);
        return new SequenceScoringDataView(input, FeatureColumnName, ScoreColumnName, this, InferenceBatchSize);
    }

    /// <summary>A row-to-row mapper, used by <c>mlContext.Model.CreatePredictionEngine</c>.</summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => CreateMapper(inputSchema);

    /// <summary>Frees the network's native tensors. Safe to call twice.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _network.Dispose();
    }

    private SequenceScoringRowMapper CreateMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ThrowIfDisposed();
        CheckInputSchema(inputSchema);
        return new SequenceScoringRowMapper(inputSchema, FeatureColumnName, ScoreColumnName, this);
    }

    private void CheckInputSchema(DataViewSchema schema)
    {
        VectorDataViewType features = SequenceShapes.FloatVectorColumn(schema, FeatureColumnName, "Feature");
        if (features.Size > 0 && features.Size % InputFeatureCount != 0)
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"Feature column '{FeatureColumnName}' holds {features.Size} values, which is not a multiple of the {InputFeatureCount} features per step this model was trained with.");
        if (features.Dimensions.Length == 2 && features.Dimensions[1] != InputFeatureCount)
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"Feature column '{FeatureColumnName}' has {features.Dimensions[1]} features per step, but this model was trained with {InputFeatureCount}.");
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    int ISequenceScorer.InputFeatureCount => InputFeatureCount;

    int ISequenceScorer.OutputFeatureCount => OutputFeatureCount;

    int ISequenceScorer.Horizon => Horizon;

    void ISequenceScorer.Score(ReadOnlySpan<float> features, int rowCount, int inputLength, Span<float> scores)
    {
        ThrowIfDisposed();
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        Tensor input = torch.empty(new long[] { rowCount, inputLength, InputFeatureCount }, ScalarType.Float32);
        input.data<float>().CopyFrom(features.Slice(0, rowCount * inputLength * InputFeatureCount), 0, 0);
        Tensor prediction = _network.Forward(input.to(_device)).cpu().contiguous();
        prediction.data<float>().CopyTo(scores.Slice(0, rowCount * Horizon * OutputFeatureCount), 0, 0);
    }

    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        ThrowIfDisposed();
        ModelWriter.Save(ctx, s_format, writer =>
        {
            // *** Binary format ***
            // string: feature column name
            // string: score column name
            // int: inference batch size
            // architecture (NetworkArchitecture.Write)
            // history (TrainingHistoryFormat.Write)
            // stream "Weights": TorchSharp state dict of the network (CPU tensors)
            writer.Writer.Write(FeatureColumnName);
            writer.Writer.Write(ScoreColumnName);
            writer.Writer.Write(InferenceBatchSize);
            _network.Architecture.Write(writer.Writer);
            TrainingHistoryFormat.Write(writer.Writer, TrainingHistory);
            writer.WriteStream(WeightsStreamName, stream =>
            {
                using var binary = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
                _network.save(binary);
            });
        });
    }

    // Factory for SignatureLoadModel: ML.NET finds it by reflection (LoadableClass above).
    private static Seq2SeqTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        TorchRuntime.EnsureLoaded();
        return ModelReader.Load(ctx, s_format, reader =>
        {
            // *** Binary format ***: see Save, read in the same order.
            string featureColumnName = reader.Reader.ReadString();
            string scoreColumnName = reader.Reader.ReadString();
            int inferenceBatchSize = reader.Reader.ReadInt32();
            if (inferenceBatchSize <= 0)
                throw new InvalidDataException($"inference batch size {inferenceBatchSize} is not positive");
            NetworkArchitecture architecture = NetworkArchitecture.Read(reader.Reader);
            TrainingHistory history = TrainingHistoryFormat.Read(reader.Reader);

            var host = new MLNetHost(env, nameof(Seq2SeqTransformer));
            Device device = TorchDevices.Resolve(ComputeDevice.Auto, host);
            var network = new Seq2SeqNetwork(architecture);
            try
            {
                reader.ReadStream(WeightsStreamName, stream =>
                {
                    using var binary = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
                    network.load(binary, strict: true);
                });
                network.to(device);
                return new Seq2SeqTransformer(network, featureColumnName, scoreColumnName, inferenceBatchSize, history, device);
            }
            catch
            {
                network.Dispose();
                throw;
            }
        });
    }
}
