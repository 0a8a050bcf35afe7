using Microsoft.Playwright;
using S3Overlay.Tests.Browser;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// Chromium for the whole test run, one browser per set of launch flags, started on first use and
/// closed as the test process exits. Each test works in a browser context of its own (cookies,
/// credentials, storage apart) and disposes it. Starting Playwright's driver and Chromium cost
/// about 5 s of CPU, paid by five classes before.
/// </summary>
public static class SharedChromium
{
    private static readonly SemaphoreSlim Starting = new(1, 1);
    private static readonly Dictionary<string, IBrowser> Browsers = new();
    private static IPlaywright? _playwright;

    /// <summary>The browser launched with <paramref name="flags"/>; never dispose it, only the contexts made from it.</summary>
    public static async Task<IBrowser> BrowserAsync(string[] flags)
    {
        var name = string.Join(' ', flags);
        await Starting.WaitAsync();
        try
        {
            if (Browsers.TryGetValue(name, out var running) && running.IsConnected) return running;
            if (_playwright is null)
            {
                _playwright = await Playwright.CreateAsync();
                AppDomain.CurrentDomain.ProcessExit += (_, _) => Close();
            }
            var browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumTests.Chromium, Headless = true, Args = flags });
            Browsers[name] = browser;
            return browser;
        }
        finally
        {
            Starting.Release();
        }
    }

    private static void Close()
    {
        foreach (var browser in Browsers.Values)
            try { browser.CloseAsync().Wait(TimeSpan.FromSeconds(5)); } catch (Exception) { } // the process is ending: the driver goes with it
        _playwright?.Dispose();
    }
}
