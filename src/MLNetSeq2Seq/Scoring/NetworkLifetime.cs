using System;
using System.Threading;
using MLNetSeq2Seq.Networks;

namespace MLNetSeq2Seq.Scoring;

/// <summary>
/// Owns a trained network's native tensors for a transformer: scoring holds a lease while it runs, and Dispose waits for
/// the leases in flight and refuses new ones, so a prediction engine disposed on one thread while another scores gives
/// <see cref="ObjectDisposedException"/>, never a forward pass over freed tensors.
/// </summary>
internal sealed class NetworkLifetime : IDisposable
{
    private readonly object _gate = new();
    private readonly object _owner;
    private int _inFlight;
    private bool _disposed;

    /// <param name="network">The network, owned from now on.</param>
    /// <param name="owner">Named by <see cref="ObjectDisposedException"/> once disposed.</param>
    public NetworkLifetime(SequenceNetwork network, object owner)
    {
        Network = network;
        _owner = owner;
    }

    /// <summary>The network; use it only under a lease (<see cref="Lease"/>).</summary>
    public SequenceNetwork Network { get; }

    /// <summary>Throws <see cref="ObjectDisposedException"/> once disposed.</summary>
    public void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, _owner);

    /// <summary>Marks the network in use until the returned lease is disposed; throws once disposed.</summary>
    public NetworkLease Lease()
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            _inFlight++;
        }
        return new NetworkLease(this);
    }

    /// <summary>Frees the network after the leases in flight end. Safe to call twice and from any thread.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
            while (_inFlight > 0)
                Monitor.Wait(_gate);
        }
        Network.Dispose();
    }

    private void Release()
    {
        lock (_gate)
        {
            if (--_inFlight == 0)
                Monitor.PulseAll(_gate);
        }
    }

    /// <summary>One use of the network; dispose it when the use ends.</summary>
    internal readonly struct NetworkLease(NetworkLifetime lifetime) : IDisposable
    {
        public void Dispose() => lifetime.Release();
    }
}
