using System.Buffers.Binary;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Clients;

/// <summary>
/// A PostgreSQL 15 data folder as pgBackRest reads it when the server is stopped (<c>--no-online</c>),
/// written without PostgreSQL: <c>global/pg_control</c> with the fields pgBackRest reads, at their
/// offsets in PostgreSQL 15's ControlFileData on x86-64 (pgBackRest checks the control and catalog
/// versions, the page and WAL segment sizes, not the CRC), and WAL segments of 1 MiB (the smallest
/// PostgreSQL 11+ allows) that open with the long page header pgBackRest checks against the system id.
/// </summary>
public static class PostgresFiles
{
    public const ulong SystemId = 7300000000000000001;
    public const int WalSegmentSize = 1024 * 1024;
    private const uint ControlVersion = 1300, CatalogVersion = 202209061;
    private const ushort WalMagic = 0xD110, LongHeader = 0x0002;

    /// <summary>Writes a stopped cluster's folder: PG_VERSION, pg_control, a relation file, pg_wal/.</summary>
    public static void WriteDataDirectory(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "global"));
        Directory.CreateDirectory(Path.Combine(root, "pg_wal"));
        File.WriteAllText(Path.Combine(root, "PG_VERSION"), "15\n");
        var control = new byte[8192];
        var span = control.AsSpan();
        BinaryPrimitives.WriteUInt64LittleEndian(span[0..], SystemId);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], ControlVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], CatalogVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], 1);           // state: DB_SHUTDOWNED
        BinaryPrimitives.WriteUInt64LittleEndian(span[32..], 0x1000028);   // checkPoint
        BinaryPrimitives.WriteUInt64LittleEndian(span[40..], 0x1000028);   // checkPointCopy.redo
        BinaryPrimitives.WriteUInt32LittleEndian(span[48..], 1);           // checkPointCopy.ThisTimeLineID
        BinaryPrimitives.WriteUInt32LittleEndian(span[204..], 8);          // maxAlign
        BinaryPrimitives.WriteDoubleLittleEndian(span[208..], 1234567.0);  // floatFormat
        BinaryPrimitives.WriteUInt32LittleEndian(span[216..], 8192);       // blcksz
        BinaryPrimitives.WriteUInt32LittleEndian(span[220..], 131072);     // relseg_size
        BinaryPrimitives.WriteUInt32LittleEndian(span[224..], 8192);       // xlog_blcksz
        BinaryPrimitives.WriteUInt32LittleEndian(span[228..], WalSegmentSize);
        File.WriteAllBytes(Path.Combine(root, "global", "pg_control"), control);
        TestFiles.WriteRandom(Path.Combine(root, "base", "1", "16384"), 100_000, seed: 3);
    }

    /// <summary>The name of segment <paramref name="segment"/> of timeline 1 (its LSN's high 32 bits, then the segment within them).</summary>
    public static string WalName(int segment)
    {
        const long perLog = (1L << 32) / WalSegmentSize;
        return $"{1:X8}{segment / perLog:X8}{segment % perLog:X8}";
    }

    /// <summary>Writes WAL segment <paramref name="segment"/> into pg_wal/ and returns its path.</summary>
    public static string WriteWal(string root, int segment)
    {
        var wal = new byte[WalSegmentSize];
        new Random(segment).NextBytes(wal);
        var span = wal.AsSpan();
        BinaryPrimitives.WriteUInt16LittleEndian(span[0..], WalMagic);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], LongHeader);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], 1);                              // timeline
        BinaryPrimitives.WriteUInt64LittleEndian(span[8..], (ulong)segment * WalSegmentSize); // page address
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], 0);                             // remaining length
        BinaryPrimitives.WriteUInt64LittleEndian(span[24..], SystemId);
        BinaryPrimitives.WriteUInt32LittleEndian(span[32..], WalSegmentSize);
        BinaryPrimitives.WriteUInt32LittleEndian(span[36..], 8192);
        var path = Path.Combine(root, "pg_wal", WalName(segment));
        File.WriteAllBytes(path, wal);
        return path;
    }
}
