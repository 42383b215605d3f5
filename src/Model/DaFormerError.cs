namespace DaFormer.Model;

/// An error caused by the user's input (a file, a key, a value) rather than by a bug. The CLI prints
/// its message as one paragraph, without a stack trace, and exits non-zero. Messages name the file,
/// key or value and say what was expected.
public class DaFormerError(string message, Exception? inner = null) : Exception(message, inner);
