using S3Overlay.Web;
namespace S3Overlay.Browser.Pages;

/// <summary>A step of the breadcrumb trail; the last one has no link.</summary>
internal sealed record Crumb(string Text, string? Url = null);

/// <summary>The frame every browser page shares: head, style, top bar, breadcrumbs, script.</summary>
internal static class PageLayout
{
    private const string Style = """
        :root{--fg:#1d2433;--muted:#66728a;--line:#e4e8ef;--bg:#f5f7fb;--card:#fff;--accent:#2f6fde;--danger:#c8372d}
        *{box-sizing:border-box} body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
        a{color:var(--accent);text-decoration:none} a:hover{text-decoration:underline}
        header{background:#1f2a3d;color:#fff;padding:.7rem 1.5rem;display:flex;align-items:center;gap:.8rem}
        header .brand{font-weight:600;font-size:1.05rem;color:#fff} header .who{margin-left:auto;color:#b8c3d8;font-size:.85rem}
        header .who a{color:#dfe7f5}
        main{max-width:68rem;margin:1.4rem auto;padding:0 1.5rem}
        nav.crumbs{font-size:1.05rem;margin-bottom:1rem;word-break:break-all} nav.crumbs .sep{color:var(--muted);margin:0 .35rem}
        nav.crumbs b{font-weight:600}
        .card{background:var(--card);border:1px solid var(--line);border-radius:10px;box-shadow:0 1px 2px rgba(20,30,50,.05);overflow:hidden;margin-bottom:1rem}
        table{border-collapse:collapse;width:100%} th,td{padding:.55rem .9rem;text-align:left;border-bottom:1px solid var(--line);vertical-align:middle}
        tbody td{height:3rem}
        th{font-size:.75rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);background:#fafbfd;font-weight:600}
        tr:last-child td{border-bottom:0} tbody tr:hover{background:#f7f9fd}
        td.name{word-break:break-all} td.name a{display:inline-flex;align-items:center;gap:.55rem;color:var(--fg);vertical-align:middle} td.name a:hover{color:var(--accent)}
        td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap} td.when{color:var(--muted);white-space:nowrap}
        td.act{text-align:right;white-space:nowrap;width:1%}
        .icon{width:18px;height:18px;flex:none;vertical-align:middle}
        .btn{display:inline-flex;align-items:center;gap:.35rem;border:1px solid var(--line);background:#fff;color:var(--fg);border-radius:7px;padding:.3rem .65rem;font:inherit;cursor:pointer}
        .btn:hover{border-color:#c5cedc;text-decoration:none;background:#f7f9fd} .btn.primary{background:var(--accent);border-color:var(--accent);color:#fff}
        .btn.primary:hover{background:#285fc0} .btn.danger{color:var(--danger)} .btn.danger:hover{border-color:var(--danger)}
        .btn.small{padding:.2rem .45rem;font-size:.85rem}
        .bar{display:flex;align-items:center;gap:.8rem;flex-wrap:wrap;margin-bottom:1rem} .bar .grow{flex:1} .muted{color:var(--muted)}
        .chunks{display:flex;flex-wrap:wrap;gap:2px;margin-top:.3rem} .chunk{width:10px;height:10px;border:1px solid #9ab;background:#fff} .chunk.held{background:#2f6fb0;border-color:#2f6fb0}
        .drop{border:2px dashed #c9d3e3;border-radius:10px;padding:.9rem 1rem;background:#fbfcfe;display:flex;align-items:center;gap:1rem;margin-bottom:1rem}
        .drop.over{border-color:var(--accent);background:#eef4ff} .drop input{display:none}
        .uploads{list-style:none;margin:.4rem 0 1rem;padding:0} .uploads li{display:grid;grid-template-columns:minmax(8rem,18rem) 1fr 5rem;gap:.8rem;align-items:center;padding:.2rem 0}
        .uploads .fname{overflow:hidden;text-overflow:ellipsis;white-space:nowrap} .uploads .state{text-align:right;color:var(--muted);font-variant-numeric:tabular-nums}
        .uploads .state.error{color:var(--danger)} progress{width:100%;height:.6rem;accent-color:var(--accent)}
        .pager{display:flex;gap:.6rem;justify-content:flex-end;margin-bottom:2rem}
        .props th{width:12rem;text-transform:none;letter-spacing:0;font-size:.85rem;background:#fafbfd;vertical-align:top} .props td{word-break:break-all}
        code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85rem}
        input.url{width:100%;font:inherit;font-size:.8rem;padding:.35rem .5rem;border:1px solid var(--line);border-radius:6px;color:var(--muted)}
        h2{font-size:.95rem;margin:1.4rem 0 .5rem} .empty{padding:1.6rem;text-align:center;color:var(--muted)}
        .badge{display:inline-block;border-radius:999px;padding:.05rem .5rem;font-size:.75rem;font-weight:600;border:1px solid}
        .badge.local{color:#2d6a3e;background:#eaf6ee;border-color:#b9dfc5} .badge.cached{color:#1f5fa8;background:#eaf2fc;border-color:#b6cfee}
        .badge.remote{color:#6b7280;background:#f4f5f7;border-color:#d6d9df} .badge.partial{color:#8a5a00;background:#fff6e0;border-color:#efd49a}
        .badge.deleted{color:var(--danger);background:#fdeeee;border-color:#f0c4c4}
        .overlay{background:#f5f8fd;border:1px solid var(--line);border-radius:8px;padding:.5rem .8rem} .overlay progress{width:8rem}
        .whiteouts p{margin:.6rem 1rem 0;font-weight:600} .whiteouts ul{margin:0;padding:.4rem 1rem .6rem 2.2rem} .whiteouts li{padding:.15rem 0}
        .notice{background:#fff8e6;border:1px solid #f1dca4;border-radius:8px;padding:.6rem .9rem;margin-bottom:1rem}
        """;

    public static void Begin(HtmlPage page, string title, BrowserVisitor visitor, IReadOnlyList<Crumb> crumbs)
    {
        page.Raw("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">")
            .Raw("<title>").Text(title).Raw(" · S3 Overlay</title><style>").Raw(Style).Raw("</style></head><body>")
            .Raw("<header>").Raw(Icons.Bucket).Link(BrowserLinks.Buckets, "S3 Overlay", "brand").Raw("<span class=\"who\">");
        if (visitor.SignedIn) page.Raw("Signed in as <b>").Text(visitor.AccessKey).Raw("</b>");
        else page.Raw("Anonymous (public buckets) · ").Link(BrowserLinks.SignIn, "Sign in");
        page.Raw("</span></header><main><nav class=\"crumbs\" aria-label=\"Location\">");
        for (var i = 0; i < crumbs.Count; i++)
        {
            if (i > 0) page.Raw("<span class=\"sep\">/</span>");
            if (crumbs[i].Url is { } url && i < crumbs.Count - 1) page.Link(url, crumbs[i].Text);
            else page.Raw("<b>").Text(crumbs[i].Text).Raw("</b>");
        }
        page.Raw("</nav>");
    }

    public static HtmlPage End(HtmlPage page)
    {
        page.Raw("</main><script nonce=\"").Raw(page.Nonce).Raw("\">").Raw(BrowserScript.Source).Raw("</script></body></html>");
        return page;
    }

    /// <summary>Buckets › bucket › each folder of <paramref name="prefix"/>, each a link.</summary>
    public static List<Crumb> Trail(string? bucket, string prefix = "")
    {
        var crumbs = new List<Crumb> { new("Buckets", BrowserLinks.Buckets) };
        if (bucket is null) return crumbs;
        crumbs.Add(new Crumb(bucket, BrowserLinks.Folder(bucket)));
        var start = 0;
        for (var slash = prefix.IndexOf('/'); slash >= 0; slash = prefix.IndexOf('/', start))
        {
            crumbs.Add(new Crumb(prefix[start..slash], BrowserLinks.Folder(bucket, prefix[..(slash + 1)])));
            start = slash + 1;
        }
        if (start < prefix.Length) crumbs.Add(new Crumb(prefix[start..]));
        return crumbs;
    }
}
