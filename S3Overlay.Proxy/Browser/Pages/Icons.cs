namespace S3Overlay.Browser.Pages;

/// <summary>Small inline SVG icons: no fonts or images to fetch.</summary>
internal static class Icons
{
    public const string Bucket = """<svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path fill="#4f7fdc" d="M3.5 6.5h17l-1.9 13.1a2 2 0 0 1-2 1.7H7.4a2 2 0 0 1-2-1.7z"/><ellipse cx="12" cy="6.5" rx="8.5" ry="2.6" fill="#8fb1f5"/></svg>""";
    public const string Folder = """<svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path fill="#e9a93a" d="M3 5.5A1.5 1.5 0 0 1 4.5 4h5l2 2.2h8A1.5 1.5 0 0 1 21 7.7v10.8a1.5 1.5 0 0 1-1.5 1.5h-15A1.5 1.5 0 0 1 3 18.5z"/><path fill="#f6c761" d="M3 9h18v9.5a1.5 1.5 0 0 1-1.5 1.5h-15A1.5 1.5 0 0 1 3 18.5z"/></svg>""";
    public const string File = """<svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path fill="#9fb3cf" d="M6.5 2.5h7.5l5.5 5.5v12a1.5 1.5 0 0 1-1.5 1.5h-11.5a1.5 1.5 0 0 1-1.5-1.5v-16a1.5 1.5 0 0 1 1.5-1.5z"/><path fill="#dbe5f3" d="M14 2.5v5.5h5.5z"/></svg>""";
    public const string Up = """<svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path fill="none" stroke="#6b7a90" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" d="M9 14 4 9l5-5M4 9h10.5a5.5 5.5 0 0 1 0 11H11"/></svg>""";
    public const string Download = """<svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" d="M12 4v11m-4.5-4.5L12 15l4.5-4.5M5 19.5h14"/></svg>""";
    public const string Trash = """<svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" d="M4.5 6.5h15M9.5 6.5V4.5h5v2M6.5 6.5l1 13h9l1-13"/></svg>""";
}
