using System.Diagnostics;

namespace DaFormer.Training.Data.Loader;

/// The prefetching loader (imperative shell): N background workers produce samples ahead of the
/// trainer — at most `PrefetchBatches` batches beyond the one being consumed — and the consumer
/// assembles batch b from samples b·B … b·B+B−1 in index order. Because each sample's randomness
/// depends only on (seed, index), batches are identical for any worker count. Workers = 0 produces
/// on the calling thread. Tensors are created on the consumer thread. Resume by passing the
/// `NextBatchIndex` saved in a checkpoint as `startBatch`.
public sealed class UdaLoader : IDisposable
{
    readonly UdaLoaderSpec spec;
    readonly UdaSampleFactory factory;
    readonly object gate = new();
    readonly Dictionary<long, UdaSample> ready = new();
    readonly List<Thread> threads = new();
    long nextSample;     // next sample index a worker will claim
    long nextBatch;      // next batch the consumer will take
    bool stopping;
    Exception? failure;
    readonly Stopwatch waitClock = new();

    public UdaLoader(UdaLoaderSpec spec, long startBatch = 0)
    {
        this.spec = spec;
        factory = new UdaSampleFactory(spec);
        nextBatch = startBatch;
        nextSample = startBatch * spec.BatchSize;
        for (var w = 0; w < spec.Workers; w++)
        {
            var t = new Thread(WorkerLoop) { IsBackground = true, Name = $"daformer-data-{w}" };
            threads.Add(t);
            t.Start();
        }
    }

    /// The index of the batch `Next()` returns next (the sampler state to checkpoint).
    public long NextBatchIndex { get { lock (gate) return nextBatch; } }

    /// Total milliseconds the consumer spent waiting for data in `Next()`.
    public double DataWaitMs => waitClock.Elapsed.TotalMilliseconds;

    public UdaBatch Next()
    {
        ObjectDisposedException.ThrowIf(stopping, this);
        var b = nextBatch;
        var samples = new UdaSample[spec.BatchSize];
        waitClock.Start();
        try
        {
            if (spec.Workers == 0)
                for (var i = 0; i < samples.Length; i++) samples[i] = factory.Produce(b * spec.BatchSize + i);
            else
                lock (gate)
                {
                    for (var i = 0; i < samples.Length; i++)
                    {
                        var k = b * spec.BatchSize + i;
                        UdaSample? s;
                        while (!ready.TryGetValue(k, out s))
                        {
                            if (failure is not null) throw Rethrow(failure);
                            ObjectDisposedException.ThrowIf(stopping, this);
                            Monitor.Wait(gate);
                        }
                        ready.Remove(k);
                        samples[i] = s;
                    }
                    Monitor.PulseAll(gate);
                }
        }
        finally { waitClock.Stop(); }
        lock (gate) { nextBatch = b + 1; Monitor.PulseAll(gate); }
        return new UdaBatch(b, samples);
    }

    void WorkerLoop()
    {
        while (true)
        {
            long k;
            lock (gate)
            {
                while (!stopping && failure is null && nextSample >= (nextBatch + spec.PrefetchBatches + 1) * spec.BatchSize)
                    Monitor.Wait(gate);
                if (stopping || failure is not null) return;
                k = nextSample++;
            }
            try
            {
                var s = factory.Produce(k);
                lock (gate) { ready[k] = s; Monitor.PulseAll(gate); }
            }
            catch (Exception e)
            {
                lock (gate) { failure ??= e; Monitor.PulseAll(gate); }
                return;
            }
        }
    }

    static Exception Rethrow(Exception e) =>
        e is Model.DaFormerError ? new Model.DaFormerError(e.Message) : new InvalidOperationException($"data loader worker failed: {e.Message}", e);

    public void Dispose()
    {
        lock (gate) { stopping = true; Monitor.PulseAll(gate); }
        foreach (var t in threads) t.Join();
        threads.Clear();
        ready.Clear();
    }
}
