using System.Buffers.Binary;
using System.IO.Compression;

namespace Cli.Tests;

/// <summary>A minimal PNG reader (8-bit RGB or RGBA, not interlaced): enough to count the colours of a screenshot.</summary>
public sealed class PngImage
{
    private PngImage(int width, int height, byte[] rgba)
    {
        Width = width;
        Height = height;
        Rgba = rgba;
    }

    public int Width { get; }
    public int Height { get; }
    public byte[] Rgba { get; }

    /// <summary>Pixels within tolerance of the colour ("#rrggbb").</summary>
    public int Count(string hex, int tolerance = 8, int fromRow = 0)
    {
        int r = Convert.ToInt32(hex[1..3], 16), g = Convert.ToInt32(hex[3..5], 16), b = Convert.ToInt32(hex[5..7], 16);
        int n = 0;
        for (int i = fromRow * Width * 4; i < Rgba.Length; i += 4)
            if (Math.Abs(Rgba[i] - r) <= tolerance && Math.Abs(Rgba[i + 1] - g) <= tolerance && Math.Abs(Rgba[i + 2] - b) <= tolerance)
                n++;
        return n;
    }

    public static PngImage Read(string path)
    {
        var data = File.ReadAllBytes(path);
        if (data.Length < 8 || data[0] != 0x89 || data[1] != (byte)'P' || data[2] != (byte)'N' || data[3] != (byte)'G')
            throw new InvalidDataException($"{path} is not a PNG");
        int pos = 8, width = 0, height = 0, colourType = 0;
        var idat = new MemoryStream();
        while (pos + 8 <= data.Length)
        {
            int len = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(pos));
            string type = System.Text.Encoding.ASCII.GetString(data, pos + 4, 4);
            var body = data.AsSpan(pos + 8, len);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(body);
                height = BinaryPrimitives.ReadInt32BigEndian(body[4..]);
                if (body[8] != 8 || body[12] != 0 || (body[9] != 2 && body[9] != 6))
                    throw new InvalidDataException($"unsupported PNG: bit depth {body[8]}, colour type {body[9]}, interlace {body[12]}");
                colourType = body[9];
            }
            else if (type == "IDAT")
                idat.Write(body);
            else if (type == "IEND")
                break;
            pos += 12 + len;
        }
        int bpp = colourType == 6 ? 4 : 3, stride = width * bpp;
        var raw = new MemoryStream();
        idat.Position = 0;
        using (var z = new ZLibStream(idat, CompressionMode.Decompress))
            z.CopyTo(raw);
        var src = raw.ToArray();
        var cur = new byte[stride];
        var prev = new byte[stride];
        var rgba = new byte[width * height * 4];
        for (int y = 0; y < height; y++)
        {
            int filter = src[y * (stride + 1)];
            Array.Copy(src, y * (stride + 1) + 1, cur, 0, stride);
            for (int x = 0; x < stride; x++)
            {
                int a = x >= bpp ? cur[x - bpp] : 0, b = prev[x], c = x >= bpp ? prev[x - bpp] : 0;
                cur[x] = (byte)(cur[x] + filter switch
                {
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => 0,
                });
            }
            for (int x = 0; x < width; x++)
            {
                int o = (y * width + x) * 4;
                rgba[o] = cur[x * bpp];
                rgba[o + 1] = cur[x * bpp + 1];
                rgba[o + 2] = cur[x * bpp + 2];
                rgba[o + 3] = bpp == 4 ? cur[x * bpp + 3] : (byte)255;
            }
            (prev, cur) = (cur, prev);
        }
        return new PngImage(width, height, rgba);
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
