namespace Flow.Pipeline.Internal;

/// <summary>
/// A string hash that is the same in every process (FNV-1a over UTF-16 code units), for routing
/// keys to partitions reproducibly. Not for hash tables exposed to untrusted keys.
/// </summary>
internal static class StableHash
{
    public static int Of(string text)
    {
        uint hash = 2166136261;
        foreach (char c in text)
        {
            hash = (hash ^ c) * 16777619;
        }

        return (int)hash;
    }
}
