using TorchSharp;

namespace MLNetSeq2Seq.Networks;

/// <summary>The state a recurrent stack carries between calls: hidden (layers × directions, N, H), and for LSTM the cell state.</summary>
internal readonly record struct RecurrentState(torch.Tensor Hidden, torch.Tensor? Cell);
