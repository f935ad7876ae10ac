"""The tests' PyTorch side: one process per test class, one JSON request per stdin line, one JSON answer per line.

  {"op": "score", "model": m, "inputs": i, "out": o}
      loads model file m with the reference module, scores tensor "features" (and "lengths" if present) of
      safetensors file i in eval mode, writes {"scores"} to o.
  {"op": "train", "architecture": {...}, "inputs": i, "steps": n, "seed": s, "teacher_forcing": r, "model": m, "out": o}
      builds the network (seeded), trains n Adam steps on "features" -> "labels" of i (MSE, teacher forcing with
      ratio r), saves it to m with the reference module's save(), scores "test_features" in eval mode into o.
Answers: {"ok": true, ...} or {"ok": false, "error": "..."}.
"""

import json
import os
import sys
import traceback

sys.path.insert(0, os.environ["MLNETSEQ2SEQ_REFERENCE_DIR"])
import torch  # noqa: E402
import mlnetseq2seq_reference as reference  # noqa: E402


def score(request):
    network, metadata = reference.load(request["model"])
    tensors, _ = reference.read_safetensors(request["inputs"])
    lengths = tensors["lengths"].round().to(torch.int64) if "lengths" in tensors else None
    with torch.no_grad():
        scores = network(tensors["features"], lengths=lengths)
    reference.write_safetensors(request["out"], {"scores": scores})
    return {"architecture": network.architecture, "feature_column_name": metadata["feature_column_name"]}


def train(request):
    torch.manual_seed(request["seed"])
    generator = torch.Generator().manual_seed(request["seed"])
    network = reference.build_network(reference.architecture(**request["architecture"]))
    tensors, _ = reference.read_safetensors(request["inputs"])
    features, labels = tensors["features"], tensors["labels"]
    optimizer = torch.optim.Adam(network.parameters(), lr=1e-2)
    network.train()
    losses = []
    for _ in range(request["steps"]):
        optimizer.zero_grad()
        forced = reference.teacher_forced_steps(request["teacher_forcing"], labels.shape[1], generator)
        loss = torch.nn.functional.mse_loss(network(features, teacher_targets=labels, teacher_forced_steps=forced), labels)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    network.eval()
    reference.save(request["model"], network, feature_column_name=request.get("feature_column_name", "Features"))
    with torch.no_grad():
        scores = network(tensors["test_features"])
    reference.write_safetensors(request["out"], {"scores": scores})
    return {"losses": losses}


def main():
    torch.set_num_threads(1)
    print(json.dumps({"ok": True, "torch": torch.__version__}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            answer = {"score": score, "train": train}[request["op"]](request)
            answer["ok"] = True
        except Exception as ex:  # the test reads the message
            answer = {"ok": False, "error": "%s: %s" % (type(ex).__name__, ex), "trace": traceback.format_exc()}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
