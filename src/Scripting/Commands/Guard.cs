using DaFormer.Model;

namespace DaFormer.Cli.Commands;

/// Runs a command body and turns user errors into a one-paragraph message and a non-zero exit
/// code. Unexpected exceptions also print without a stack trace unless DAFORMER_DEBUG=1.
public static class Guard
{
    public const int UserErrorExit = 1;
    public const int InternalErrorExit = 3;

    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (Unwrap(e) is DaFormerError or ArgumentException or FileNotFoundException or DirectoryNotFoundException)
        {
            Console.Error.WriteLine($"error: {Unwrap(e).Message}");
            if (Debug) Console.Error.WriteLine(e);
            return UserErrorExit;
        }
        catch (Exception e) when (!Debug)
        {
            var inner = Unwrap(e);
            Console.Error.WriteLine($"internal error ({inner.GetType().Name}): {NativeErrorText.WithoutFrames(inner.Message)}");
            Console.Error.WriteLine("This is a bug in daformer; rerun with DAFORMER_DEBUG=1 for the stack trace and report it.");
            return InternalErrorExit;
        }
    }

    static bool Debug => Environment.GetEnvironmentVariable("DAFORMER_DEBUG") == "1";

    static Exception Unwrap(Exception e)
    {
        while (e is TypeInitializationException or System.Reflection.TargetInvocationException or AggregateException && e.InnerException is not null)
            e = e.InnerException!;
        return e;
    }
}
