"""Reference PyTorch implementation of the MLNetSeq2Seq networks, and the interchange file they share.

One file, no dependency beyond torch (1.13 and 2.x). It builds the same network as the C# library for every
architecture the library supports -- the autoregressive encoder-decoder (GRU/LSTM, layers, bidirectional encoder,
dot or additive attention, residual decoding, teacher forcing at train time), the segment-recurrent, linear and
patch-Transformer families, and the instance-normalisation and channel-independence wrappers -- with the same parameter names, so a state dict moves
between the two unchanged.

The file is safetensors (https://github.com/huggingface/safetensors): an 8-byte little-endian header length, a JSON
header, then the raw float32 values. The header's "__metadata__" holds
    format               "mlnetseq2seq"
    format_version       "1"
    architecture         JSON object, the fields of ARCHITECTURE_FIELDS (enum values as the C# enum names)
    feature_column_name  the ML.NET input column (L x F floats per row, time-major)
    score_column_name    the ML.NET output column (Horizon x O floats per row, time-major)
    score_slot_names     optional: JSON array of Horizon x O names

    net, meta = load("model.safetensors")          # a C#-exported model, ready for net(features)
    net = build_network(architecture)               # or train your own, then
    save("model.safetensors", net, feature_column_name="Features")   # mlContext.Model.ImportSeq2SeqFromPyTorch

Inputs are (N, L, F) float32 windows; outputs (N, Horizon, O). See docs/pytorch.md.
"""

import json
import math
import sys

import torch
from torch import nn

FORMAT = "mlnetseq2seq"
FORMAT_VERSION = "1"

# Every field of the architecture record, its type and, for enums, the allowed values (the C# enum names).
ARCHITECTURE_FIELDS = {
    "input_feature_count": int,
    "output_feature_count": int,
    "horizon": int,
    "hidden_size": int,
    "layer_count": int,
    "cell": ("Gru", "Lstm"),
    "bidirectional": bool,
    "attention": ("None", "Dot", "Additive"),
    "dropout": float,
    "residual_decoding": bool,
    "family": ("AutoregressiveEncoderDecoder", "SegmentRecurrent", "Linear", "PatchTransformer"),
    "segment_length": int,
    "normalization": ("None", "SubtractLast", "Standardize"),
    "normalization_affine": bool,
    "channel_independent": bool,
    "target_input_indices": list,
    "lookback": "count0",
    "family_fields": "object",
}
# Fields that may be absent (added later, or written only for the families that have them), and what absence means.
OPTIONAL_FIELDS = {"lookback": 0, "family_fields": None}
# Each family's own fields (inside "family_fields"); a family not listed has none.
FAMILY_FIELDS = {"PatchTransformer": ("patch_length", "patch_stride", "head_count", "feed_forward_size")}


def architecture(input_feature_count, output_feature_count, horizon, hidden_size=64, layer_count=1, cell="Gru",
                 bidirectional=False, attention="None", dropout=0.0, residual_decoding=False,
                 family="AutoregressiveEncoderDecoder", segment_length=1, normalization="None",
                 normalization_affine=False, channel_independent=False, target_input_indices=None, lookback=0,
                 family_fields=None):
    """An architecture record with the C# defaults; checked by validate_architecture."""
    if target_input_indices is None:
        target_input_indices = []
        if normalization != "None" or channel_independent:
            if input_feature_count != output_feature_count:
                raise ValueError("target_input_indices is needed when input and output feature counts differ")
            target_input_indices = list(range(output_feature_count))
    record = dict(input_feature_count=input_feature_count, output_feature_count=output_feature_count, horizon=horizon,
                  hidden_size=hidden_size, layer_count=layer_count, cell=cell, bidirectional=bidirectional,
                  attention=attention, dropout=float(dropout), residual_decoding=residual_decoding, family=family,
                  segment_length=segment_length if family == "SegmentRecurrent" else 1, normalization=normalization,
                  normalization_affine=normalization_affine and normalization == "Standardize",
                  channel_independent=channel_independent, target_input_indices=list(target_input_indices),
                  lookback=lookback)
    if family_fields is not None:
        record["family_fields"] = dict(family_fields)
    return validate_architecture(record)


def validate_architecture(record):
    """Checks every field is present, known and in range; raises ValueError naming the first that is not."""
    for name in record:
        if name not in ARCHITECTURE_FIELDS:
            raise ValueError("architecture field '%s' is not known (known: %s)" % (name, ", ".join(ARCHITECTURE_FIELDS)))
    for name, default in OPTIONAL_FIELDS.items():
        record.setdefault(name, default)
    for name, kind in ARCHITECTURE_FIELDS.items():
        if name not in record:
            raise ValueError("architecture field '%s' is missing" % name)
        value = record[name]
        if kind == "object":
            _validate_family_fields(record["family"], value)
        elif kind == "count0":
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError("architecture field '%s' must be an integer >= 0, not %r" % (name, value))
        elif isinstance(kind, tuple):
            if value not in kind:
                raise ValueError("architecture field '%s' is %r, not one of %s" % (name, value, ", ".join(kind)))
        elif kind is float:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError("architecture field '%s' must be a number" % name)
        elif kind is int:
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError("architecture field '%s' must be a positive integer, not %r" % (name, value))
        elif not isinstance(value, kind):
            raise ValueError("architecture field '%s' must be %s" % (name, kind.__name__))
    if not 0 <= record["dropout"] < 1:
        raise ValueError("architecture field 'dropout' must be in [0, 1)")
    targets = record["target_input_indices"]
    if targets and len(targets) != record["output_feature_count"]:
        raise ValueError("architecture field 'target_input_indices' needs one entry per output")
    if any(isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < record["input_feature_count"] for i in targets):
        raise ValueError("architecture field 'target_input_indices' holds an index outside the inputs")
    if not targets and (record["channel_independent"] or record["normalization"] != "None"):
        raise ValueError("architecture field 'target_input_indices' is needed by instance normalisation and channel independence")
    return record


def _validate_family_fields(family, fields):
    names = FAMILY_FIELDS.get(family)
    if names is None:
        if fields is not None:
            raise ValueError("architecture field 'family_fields' is given, but the %s family has no fields of its own" % family)
        return
    if not isinstance(fields, dict) or sorted(fields) != sorted(names):
        raise ValueError("architecture field 'family_fields' of the %s family must hold exactly %s" % (family, ", ".join(names)))
    for name in names:
        value = fields[name]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError("architecture field 'family_fields.%s' must be a positive integer, not %r" % (name, value))


class RecurrentStack(nn.Module):
    """GRU or LSTM layers, batch first; state is (h, c) with c None for a GRU. Lengths pack right-padded rows."""

    def __init__(self, cell, input_size, hidden_size, layer_count, dropout, bidirectional):
        super().__init__()
        kind = nn.GRU if cell == "Gru" else nn.LSTM
        self.rnn = kind(input_size, hidden_size, layer_count, bias=True, batch_first=True,
                        dropout=dropout if layer_count > 1 else 0.0, bidirectional=bidirectional)
        self.lstm = cell == "Lstm"

    def forward(self, x, state=None, lengths=None):
        initial = None if state is None else (state if self.lstm else state[0])
        if lengths is not None:
            packed = nn.utils.rnn.pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
            output, final = self.rnn(packed, initial)
            output, _ = nn.utils.rnn.pad_packed_sequence(output, batch_first=True, padding_value=0.0, total_length=x.shape[1])
        else:
            output, final = self.rnn(x, initial)
        return output, (final if self.lstm else (final, None))


class DecoderAttention(nn.Module):
    """Dot (scaled by 1/sqrt(hidden)) or additive attention of a decoder step over the encoder outputs."""

    def __init__(self, kind, key_size, hidden_size):
        super().__init__()
        self.kind = kind
        self.scale = 1.0 / math.sqrt(hidden_size)
        self.key_projection = None
        self.query_projection = None
        self.score = None
        if kind == "Dot":
            if key_size != hidden_size:
                self.key_projection = nn.Linear(key_size, hidden_size, bias=False)
        else:
            self.key_projection = nn.Linear(key_size, hidden_size, bias=False)
            self.query_projection = nn.Linear(hidden_size, hidden_size, bias=True)
            self.score = nn.Linear(hidden_size, 1, bias=False)

    def prepare_keys(self, encoder_outputs):
        return encoder_outputs if self.key_projection is None else self.key_projection(encoder_outputs)

    def context(self, query, keys, encoder_outputs, padding=None):
        if self.kind == "Dot":
            scores = torch.bmm(keys, query.unsqueeze(2)).squeeze(2) * self.scale
        else:
            scores = self.score(torch.tanh(keys + self.query_projection(query).unsqueeze(1))).squeeze(2)
        if padding is not None:
            scores = scores.masked_fill(padding, float("-inf"))
        weights = torch.softmax(scores, dim=1)
        return torch.bmm(weights.unsqueeze(1), encoder_outputs).squeeze(1)


def _family_counts(arch):
    if arch["channel_independent"]:
        return 1, 1
    return arch["input_feature_count"], arch["output_feature_count"]


class AutoregressiveNetwork(nn.Module):
    """Encoder-decoder: the decoder starts from the encoder state and a learned projection of the last input step
    (the anchor), predicts one step at a time and is fed its own prediction, or the true target where teacher
    forcing says so (training only)."""

    def __init__(self, arch):
        super().__init__()
        self.architecture = arch
        inputs, outputs = _family_counts(arch)
        hidden, layers, cell, dropout = arch["hidden_size"], arch["layer_count"], arch["cell"], arch["dropout"]
        directions = 2 if arch["bidirectional"] else 1
        self.encoder = RecurrentStack(cell, inputs, hidden, layers, dropout, arch["bidirectional"])
        self.bridge_hidden = nn.Linear(2 * hidden, hidden) if arch["bidirectional"] else None
        self.bridge_cell = nn.Linear(2 * hidden, hidden) if arch["bidirectional"] and cell == "Lstm" else None
        self.start = nn.Linear(inputs, outputs)
        self.decoder = RecurrentStack(cell, outputs, hidden, layers, dropout, False)
        self.attention = None
        self.combine = None
        if arch["attention"] != "None":
            self.attention = DecoderAttention(arch["attention"], directions * hidden, hidden)
            self.combine = nn.Linear(hidden + directions * hidden, hidden)
        self.output_dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden, outputs)

    def forward(self, features, lengths=None, teacher_targets=None, teacher_forced_steps=None, channels=None):
        arch = self.architecture
        encoder_outputs, state = self.encoder(features, None, lengths)
        state = self._bridge(state, features.shape[0])
        keys = None if self.attention is None else self.attention.prepare_keys(encoder_outputs)
        padding = None
        if lengths is None:
            last_step = features[:, -1, :]
        else:
            lengths_here = lengths.to(features.device)
            padding = torch.arange(features.shape[1], device=features.device).unsqueeze(0) >= lengths_here.unsqueeze(1)
            last_index = (lengths_here - 1).view(-1, 1, 1).expand(-1, 1, features.shape[2])
            last_step = features.gather(1, last_index).squeeze(1)
        anchor = self.start(last_step)
        step_input = anchor.unsqueeze(1)
        steps = []
        for t in range(arch["horizon"]):
            decoder_output, state = self.decoder(step_input, state)
            query = decoder_output.squeeze(1)
            if self.attention is not None:
                context = self.attention.context(query, keys, encoder_outputs, padding)
                query = torch.tanh(self.combine(torch.cat([query, context], dim=1)))
            correction = self.head(self.output_dropout(query))
            prediction = anchor + correction if arch["residual_decoding"] else correction
            steps.append(prediction)
            feed_truth = teacher_targets is not None and teacher_forced_steps is not None and teacher_forced_steps[t]
            step_input = (teacher_targets[:, t, :] if feed_truth else prediction).unsqueeze(1)
        return torch.stack(steps, dim=1)

    def _bridge(self, state, batch):
        if self.bridge_hidden is None:
            return state
        layers, hidden = self.architecture["layer_count"], self.architecture["hidden_size"]

        def merge(s, bridge):
            return torch.tanh(bridge(s.view(layers, 2, batch, hidden).permute(0, 2, 1, 3).reshape(layers, batch, 2 * hidden)))

        h, c = state
        return merge(h, self.bridge_hidden), None if c is None else merge(c, self.bridge_cell)


class SegmentRecurrentNetwork(nn.Module):
    """SegRNN-style: segments of w steps embedded by Linear + ReLU, one recurrent stack over segments, and a parallel
    decoder making one recurrent step per output segment from a learned position (and channel) embedding."""

    def __init__(self, arch):
        super().__init__()
        self.architecture = arch
        self.inputs, self.outputs = _family_counts(arch)
        self.segment_length = arch["segment_length"]
        self.output_segments = (arch["horizon"] + self.segment_length - 1) // self.segment_length
        hidden = arch["hidden_size"]
        channel_size = hidden // 2 if arch["channel_independent"] else 0
        self.segment_embedding = nn.Linear(self.segment_length * self.inputs, hidden)
        self.rnn = RecurrentStack(arch["cell"], hidden, hidden, arch["layer_count"], arch["dropout"], False)
        self.position_embedding = nn.Parameter(torch.randn(self.output_segments, hidden - channel_size))
        self.channel_embedding = nn.Parameter(torch.randn(arch["output_feature_count"], channel_size)) if channel_size > 0 else None
        self.head_dropout = nn.Dropout(arch["dropout"])
        self.head = nn.Linear(hidden, self.segment_length * self.outputs)

    def forward(self, features, lengths=None, teacher_targets=None, teacher_forced_steps=None, channels=None):
        if lengths is not None:
            raise ValueError("the SegmentRecurrent network needs full-length input windows")
        if self.channel_embedding is not None and channels is None:
            raise ValueError("a channel-independent segment network needs each row's channel")
        if self.architecture.get("lookback", 0) > 0:  # a candidate over the last L' steps of longer windows
            features = _recent_steps(features, lengths, self.architecture["lookback"], "SegmentRecurrent")
        rows, steps = features.shape[0], features.shape[1]
        w = self.segment_length
        input_segments = (steps + w - 1) // w
        padding = input_segments * w - steps
        if padding > 0:
            features = torch.cat([features.narrow(1, 0, 1).expand(rows, padding, self.inputs), features], dim=1)
        segments = torch.relu(self.segment_embedding(features.reshape(rows, input_segments, w * self.inputs)))
        _, (h, c) = self.rnn(segments, None)
        hidden = self.architecture["hidden_size"]
        queries = self.position_embedding.unsqueeze(0).expand(rows, self.output_segments, -1)
        if self.channel_embedding is not None:
            channel = self.channel_embedding.index_select(0, channels).unsqueeze(1).expand(-1, self.output_segments, -1)
            queries = torch.cat([queries, channel], dim=2)
        queries = queries.reshape(rows * self.output_segments, 1, hidden)
        start = (h.repeat_interleave(self.output_segments, dim=1),
                 None if c is None else c.repeat_interleave(self.output_segments, dim=1))
        decoded, _ = self.rnn(queries, start)
        prediction = self.head(self.head_dropout(decoded.squeeze(1)))
        return prediction.reshape(rows, self.output_segments * w, self.outputs).narrow(1, 0, self.architecture["horizon"])


def _recent_steps(features, lengths, lookback, family):
    """The last lookback steps of full-length windows, for the families that read a lookback."""
    if lengths is not None:
        raise ValueError("the %s network needs full-length input windows" % family)
    if features.shape[1] < lookback:
        raise ValueError("the %s network reads the last %d steps of a window, got %d" % (family, lookback, features.shape[1]))
    return features[:, features.shape[1] - lookback:, :]


class LinearNetwork(nn.Module):
    """One linear map from the last L steps of the window (L x F values, time-major) to the forecast (H x O values)."""

    def __init__(self, arch):
        super().__init__()
        self.architecture = arch
        self.inputs, self.outputs = _family_counts(arch)
        self.lookback = arch["lookback"]
        if self.lookback < 1:
            raise ValueError("the Linear network needs architecture field 'lookback' (the window length)")
        self.head = nn.Linear(self.lookback * self.inputs, arch["horizon"] * self.outputs)

    def forward(self, features, lengths=None, teacher_targets=None, teacher_forced_steps=None, channels=None):
        recent = _recent_steps(features, lengths, self.lookback, "Linear")
        rows = features.shape[0]
        return self.head(recent.reshape(rows, self.lookback * self.inputs)).reshape(rows, self.architecture["horizon"], self.outputs)


class PatchEncoderLayer(nn.Module):
    """Pre-norm Transformer encoder layer: x + drop(attention(norm(x))), then x + drop(W2 drop(gelu(W1 norm(x))))."""

    def __init__(self, model_size, heads, feed_forward_size, dropout):
        super().__init__()
        self.heads = heads
        self.attention_norm = nn.LayerNorm(model_size)
        self.query = nn.Linear(model_size, model_size)
        self.key = nn.Linear(model_size, model_size)
        self.value = nn.Linear(model_size, model_size)
        self.output = nn.Linear(model_size, model_size)
        self.feed_forward_norm = nn.LayerNorm(model_size)
        self.feed_forward_in = nn.Linear(model_size, feed_forward_size)
        self.feed_forward_out = nn.Linear(feed_forward_size, model_size)
        self.dropout = nn.Dropout(dropout)

    def attend(self, tokens):
        rows, count, size = tokens.shape
        def heads(projection):
            return projection(tokens).view(rows, count, self.heads, size // self.heads).transpose(1, 2)
        q, k, v = heads(self.query), heads(self.key), heads(self.value)
        weights = (q.matmul(k.transpose(2, 3)) * (1.0 / math.sqrt(size // self.heads))).softmax(3)
        return weights.matmul(v).transpose(1, 2).reshape(rows, count, size)

    def forward(self, tokens):
        attended = tokens + self.dropout(self.output(self.attend(self.attention_norm(tokens))))
        hidden = self.dropout(nn.functional.gelu(self.feed_forward_in(self.feed_forward_norm(attended))))
        return attended + self.dropout(self.feed_forward_out(hidden))


class PatchTransformerNetwork(nn.Module):
    """PatchTST-style encoder: the last L steps padded at the end by repeating the last step S times, cut into
    (L - P) // S + 2 patches of P steps, each embedded (Linear(P F -> d) + learned position), pre-norm encoder layers,
    a final LayerNorm, and a flatten head Linear(N d -> H O)."""

    def __init__(self, arch):
        super().__init__()
        self.architecture = arch
        self.inputs, self.outputs = _family_counts(arch)
        fields = arch["family_fields"]
        self.lookback = arch["lookback"]
        self.patch_length, stride = fields["patch_length"], fields["patch_stride"]
        if self.lookback < self.patch_length:
            raise ValueError("the PatchTransformer network needs a lookback of at least its patch length")
        self.patches = (self.lookback - self.patch_length) // stride + 2
        steps = [min(n * stride + p, self.lookback - 1) for n in range(self.patches) for p in range(self.patch_length)]
        self.register_buffer("steps", torch.tensor(steps, dtype=torch.int64), persistent=False)
        d = arch["hidden_size"]
        self.patch_embedding = nn.Linear(self.patch_length * self.inputs, d)
        self.position_embedding = nn.Parameter(torch.empty(self.patches, d).uniform_(-0.02, 0.02))
        self.embedding_dropout = nn.Dropout(arch["dropout"])
        self.layers = nn.ModuleList(PatchEncoderLayer(d, fields["head_count"], fields["feed_forward_size"], arch["dropout"])
                                    for _ in range(arch["layer_count"]))
        self.final_norm = nn.LayerNorm(d)
        self.head_dropout = nn.Dropout(arch["dropout"])
        self.head = nn.Linear(self.patches * d, arch["horizon"] * self.outputs)

    def forward(self, features, lengths=None, teacher_targets=None, teacher_forced_steps=None, channels=None):
        recent = _recent_steps(features, lengths, self.lookback, "PatchTransformer")
        rows = features.shape[0]
        patches = recent.index_select(1, self.steps.to(features.device)).reshape(rows, self.patches, self.patch_length * self.inputs)
        tokens = self.embedding_dropout(self.patch_embedding(patches) + self.position_embedding)
        for layer in self.layers:
            tokens = layer(tokens)
        flat = self.final_norm(tokens).reshape(rows, -1)
        return self.head(self.head_dropout(flat)).reshape(rows, self.architecture["horizon"], self.outputs)


class ChannelIndependentNetwork(nn.Module):
    """Each forecast column its own univariate row through shared weights; output k reads input column targets[k]."""

    def __init__(self, arch, inner):
        super().__init__()
        self.architecture = arch
        self.inner = inner
        self.targets = list(arch["target_input_indices"])

    def forward(self, features, lengths=None, teacher_targets=None, teacher_forced_steps=None, channels=None):
        rows, steps, outputs = features.shape[0], features.shape[1], len(self.targets)
        columns = features.index_select(2, torch.tensor(self.targets, device=features.device))
        univariate = columns.permute(0, 2, 1).reshape(rows * outputs, steps, 1)
        channel_of_row = torch.arange(outputs, dtype=torch.int64, device=features.device).repeat(rows)
        row_lengths = None if lengths is None else lengths.repeat_interleave(outputs)
        targets = None if teacher_targets is None else teacher_targets.permute(0, 2, 1).reshape(rows * outputs, teacher_targets.shape[1], 1)
        prediction = self.inner(univariate, row_lengths, targets, teacher_forced_steps, channel_of_row)
        return prediction.reshape(rows, outputs, self.architecture["horizon"]).permute(0, 2, 1)


class InstanceNormalizedNetwork(nn.Module):
    """Subtract-last or standardize (RevIN, optional affine) from each window's real steps, inverted on the outputs
    with the statistics of the input column each output forecasts."""

    EPSILON = 1e-5

    def __init__(self, arch, inner):
        super().__init__()
        self.architecture = arch
        self.inner = inner
        self.targets = list(arch["target_input_indices"])
        self.affine_weight = None
        self.affine_bias = None
        if arch["normalization_affine"]:
            self.affine_weight = nn.Parameter(torch.ones(arch["input_feature_count"]))
            self.affine_bias = nn.Parameter(torch.zeros(arch["input_feature_count"]))

    def forward(self, features, lengths=None, teacher_targets=None, teacher_forced_steps=None, channels=None):
        mask = None
        if lengths is not None:
            mask = (torch.arange(features.shape[1], device=features.device).unsqueeze(0)
                    < lengths.to(features.device).unsqueeze(1)).unsqueeze(2).to(features.dtype)
        location, scale = self._statistics(features, lengths, mask)
        normalized = features - location
        if scale is not None:
            normalized = normalized / scale
        if self.affine_weight is not None:
            normalized = normalized * self.affine_weight + self.affine_bias
        if mask is not None:
            normalized = normalized * mask
        index = torch.tensor(self.targets, device=features.device)
        target_location = location.index_select(2, index)
        target_scale = None if scale is None else scale.index_select(2, index)
        target_weight = None if self.affine_weight is None else self.affine_weight.index_select(0, index)
        target_bias = None if self.affine_bias is None else self.affine_bias.index_select(0, index)
        normalized_targets = None
        if teacher_targets is not None:
            normalized_targets = teacher_targets - target_location
            if target_scale is not None:
                normalized_targets = normalized_targets / target_scale
            if target_weight is not None:
                normalized_targets = normalized_targets * target_weight + target_bias
        prediction = self.inner(normalized, lengths, normalized_targets, teacher_forced_steps, channels)
        if target_weight is not None:
            prediction = (prediction - target_bias) / (target_weight + self.EPSILON * self.EPSILON)
        if target_scale is not None:
            prediction = prediction * target_scale
        return prediction + target_location

    def _statistics(self, features, lengths, mask):
        if self.architecture["normalization"] == "SubtractLast":
            if lengths is None:
                return features.narrow(1, features.shape[1] - 1, 1), None
            last_index = (lengths.to(features.device) - 1).view(-1, 1, 1).expand(-1, 1, features.shape[2])
            return features.gather(1, last_index), None
        if mask is None:
            mean = features.mean(dim=1, keepdim=True)
            variance = (features - mean).pow(2).mean(dim=1, keepdim=True)
            return mean, (variance + self.EPSILON).sqrt()
        count = mask.sum(1, keepdim=True)
        mean = (features * mask).sum(1, keepdim=True) / count
        variance = ((features - mean).pow(2) * mask).sum(1, keepdim=True) / count
        return mean, (variance + self.EPSILON).sqrt()


def build_network(arch):
    """The network an architecture record describes: the family, wrapped in channel independence, then in instance
    normalisation. The returned module has .architecture and is called as net(features, lengths=None,
    teacher_targets=None, teacher_forced_steps=None)."""
    arch = validate_architecture(dict(arch))
    family = FAMILIES.get(arch["family"])
    if family is None:
        raise ValueError(f"architecture family {arch['family']!r} has no module here (known: {', '.join(FAMILIES)})")
    network = family(arch)
    if arch["channel_independent"]:
        network = ChannelIndependentNetwork(arch, network)
    if arch["normalization"] != "None":
        network = InstanceNormalizedNetwork(arch, network)
    network.architecture = arch
    return network


# The network families, one module class each: the counterpart of the C# registry (Networks/NetworkFamilies.cs).
FAMILIES = {
    "AutoregressiveEncoderDecoder": AutoregressiveNetwork,
    "SegmentRecurrent": SegmentRecurrentNetwork,
    "Linear": LinearNetwork,
    "PatchTransformer": PatchTransformerNetwork,
}


def teacher_forced_steps(ratio, horizon, generator=None):
    """Which decoder steps get the true previous target during one training step (each with probability ratio)."""
    draws = torch.rand(horizon, generator=generator)
    return [bool(d < ratio) for d in draws]


def write_safetensors(path, tensors, metadata=None):
    """Writes float32 tensors (name -> tensor) and string metadata as safetensors, torch only."""
    if sys.byteorder != "little":
        raise RuntimeError("safetensors is little-endian; this machine is not")
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    offset = 0
    prepared = []
    for name in sorted(tensors):
        t = tensors[name].detach().to("cpu", torch.float32).contiguous()
        size = t.numel() * 4
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + size]}
        prepared.append((t, offset, size))
        offset += size
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    header_bytes += b" " * ((8 - len(header_bytes) % 8) % 8)
    data = bytearray(offset)
    for t, start, size in prepared:
        if size:
            torch.frombuffer(data, dtype=torch.float32, count=size // 4, offset=start).copy_(t.reshape(-1))
    with open(path, "wb") as f:
        f.write(len(header_bytes).to_bytes(8, "little"))
        f.write(header_bytes)
        f.write(data)


_F32_ONLY = {"F32": (torch.float32, 4)}


def read_safetensors(path, dtypes=None):
    """Reads a safetensors file: (name -> tensor, metadata dict). dtypes maps the file's dtype names to (torch dtype,
    bytes per value) and says which it may hold; by default float32 only."""
    dtypes = dtypes or _F32_ONLY
    with open(path, "rb") as f:
        blob = bytearray(f.read())
    if len(blob) < 8:
        raise ValueError("%s is too short for safetensors" % path)
    header_length = int.from_bytes(blob[:8], "little")
    if header_length > len(blob) - 8:
        raise ValueError("%s: the header claims %d bytes, more than the file holds" % (path, header_length))
    header = json.loads(blob[8:8 + header_length].decode("utf-8"))
    metadata = header.pop("__metadata__", {}) or {}
    base = 8 + header_length
    tensors = {}
    for name, entry in header.items():
        if entry["dtype"] not in dtypes:
            raise ValueError("tensor '%s' is %s; this reader takes %s" % (name, entry["dtype"], ", ".join(dtypes)))
        dtype, size = dtypes[entry["dtype"]]
        begin, end = entry["data_offsets"]
        shape = entry["shape"]
        count = 1
        for s in shape:
            count *= s
        if end - begin != size * count or base + end > len(blob):
            raise ValueError("tensor '%s': its data offsets do not fit its shape or the file" % name)
        values = torch.frombuffer(blob, dtype=dtype, count=count, offset=base + begin) if count else torch.zeros(0, dtype=dtype)
        tensors[name] = values.reshape(shape).clone()
    return tensors, metadata


def save(path, network, feature_column_name="Features", score_column_name="Score", score_slot_names=None):
    """Writes network's weights and architecture in the interchange file ImportSeq2SeqFromPyTorch reads."""
    metadata = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "architecture": json.dumps({k: v for k, v in network.architecture.items() if not (k == "family_fields" and v is None)}),
        "feature_column_name": feature_column_name,
        "score_column_name": score_column_name,
    }
    if score_slot_names:
        metadata["score_slot_names"] = json.dumps(list(score_slot_names))
    write_safetensors(path, network.state_dict(), metadata)


def load(path):
    """Builds the network a file describes and loads its weights strictly; returns (network in eval mode, metadata)."""
    tensors, metadata = read_safetensors(path)
    if metadata.get("format") != FORMAT:
        raise ValueError("%s is not an MLNetSeq2Seq interchange file (metadata 'format' is %r)" % (path, metadata.get("format")))
    if metadata.get("format_version") != FORMAT_VERSION:
        raise ValueError("%s has format version %r; this module reads %s" % (path, metadata.get("format_version"), FORMAT_VERSION))
    network = build_network(json.loads(metadata["architecture"]))
    expected = network.state_dict()
    for name, tensor in expected.items():
        if name not in tensors:
            raise ValueError("the file has no tensor '%s', which the network needs" % name)
        if tuple(tensors[name].shape) != tuple(tensor.shape):
            raise ValueError("tensor '%s' is %s in the file, but the network needs %s" % (name, list(tensors[name].shape), list(tensor.shape)))
    for name in tensors:
        if name not in expected:
            raise ValueError("the file holds tensor '%s', which the network does not have" % name)
    network.load_state_dict(tensors, strict=True)
    network.eval()
    return network, metadata
