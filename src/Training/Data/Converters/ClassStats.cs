namespace DaFormer.Training.Data.Converters;

/// Per-image class statistics (spec §1.3), pure.
public static class ClassStats
{
    /// Pixel count of every train ID 0…numClasses−1 with count > 0, in increasing train ID — the key
    /// order the original converters produce (their id→trainId dicts iterate in train-ID order).
    public static ImageClassStats Count(string file, LabelMap trainIds, int numClasses = LabelMaps.NumClasses)
    {
        var counts = new long[256];
        foreach (var v in trainIds.Values) counts[v]++;
        var present = new OrderedDictionary<int, long>();
        for (var c = 0; c < numClasses; c++)
            if (counts[c] > 0) present.Add(c, counts[c]);
        return new ImageClassStats(file, present);
    }
}
