namespace DaFormer.Cli.Commands;

/// libtorch's error messages carry the C++ call stack ("Exception raised from … (most recent call
/// first):" followed by "frame #0: …" lines). A user gets the message and where libtorch raised it;
/// the frames only with DAFORMER_DEBUG=1.
public static class NativeErrorText
{
    const string RaisedFrom = "Exception raised from ";

    /// The message without libtorch's frame list: the text before "Exception raised from", plus the
    /// place it names (file and line, without "(most recent call first):"). Other messages are
    /// returned unchanged.
    public static string WithoutFrames(string message)
    {
        var at = message.IndexOf(RaisedFrom, StringComparison.Ordinal);
        if (at < 0) return message;
        var head = message[..at].Trim();
        var rest = message[(at + RaisedFrom.Length)..];
        var end = rest.IndexOfAny(['\n', '\r']);
        var place = (end < 0 ? rest : rest[..end]).Replace("(most recent call first):", "").Trim();
        return $"{head} (libtorch, raised from {place})";
    }
}
