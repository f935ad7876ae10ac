using System;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.TrainingData;

/// <summary>
/// Every row copied into dense tensors, features (N, L, F) and labels (N, H, O): what any IDataView becomes.
/// A series read through sliding windows is stored about L + H times over this way; see <see cref="SeriesWindowStorage"/>.
/// </summary>
internal sealed class CopiedWindowStorage : ISequenceStorage
{
    private readonly Tensor _features;
    private readonly Tensor _labels;

    /// <summary>Takes ownership of both tensors.</summary>
    public CopiedWindowStorage(Tensor features, Tensor labels)
    {
        if (features.dim() != 3 || labels.dim() != 3)
            throw new ArgumentException($"Features and labels must be 3-D (rows, steps, columns); they are {features.dim()}-D and {labels.dim()}-D.");
        if (features.shape[0] != labels.shape[0])
            throw new ArgumentException("Features and labels must have the same number of rows.");
        _features = features;
        _labels = labels;
    }

    public int Count => (int)_features.shape[0];

    public int InputSteps => (int)_features.shape[1];

    public int InputFeatureCount => (int)_features.shape[2];

    public int Horizon => (int)_labels.shape[1];

    public int OutputFeatureCount => (int)_labels.shape[2];

    public Device Device => _features.device;

    public (Tensor Features, Tensor Labels) Rows(ReadOnlySpan<long> rows)
    {
        Tensor index = torch.tensor(rows.ToArray(), dtype: ScalarType.Int64, device: _features.device);
        return (_features.index_select(0, index), _labels.index_select(0, index));
    }

    public (Tensor Features, Tensor Labels) Range(int start, int count) => (_features.narrow(0, start, count), _labels.narrow(0, start, count));

    public ISequenceStorage Slice(int start, int count) => new CopiedWindowStorage(_features.narrow(0, start, count), _labels.narrow(0, start, count));

    public void Dispose()
    {
        _features.Dispose();
        _labels.Dispose();
    }
}
