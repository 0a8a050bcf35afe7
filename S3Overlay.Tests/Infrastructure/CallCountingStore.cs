using System.Reflection;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>A store that names every call made of it, then makes it of the store it stands for.</summary>
public class CallCountingStore : DispatchProxy
{
    private object _inner = null!;
    private readonly List<string> _calls = [];

    public IReadOnlyList<string> Calls { get { lock (_calls) return [.. _calls]; } }

    internal static CallCountingStore Over<T>(T inner) where T : class
    {
        var proxy = (CallCountingStore)(object)Create<T, CallCountingStore>();
        proxy._inner = inner;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? method, object?[]? args)
    {
        lock (_calls) _calls.Add(method!.Name);
        try
        {
            return method.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }
}
