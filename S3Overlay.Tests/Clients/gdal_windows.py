"""GDAL (Debian's python3-gdal, GDAL 3.6) reads windows of a one-band Byte raster, in the order
given, in one process: as a tiling client does, the header once, then the tiles of each window.

Usage: python3 gdal_windows.py SOURCE X,Y,W,H...
SOURCE is a GDAL path (/vsis3/bucket/key: the environment carries AWS_S3_ENDPOINT and the rest).
Prints one line per window: the SHA-256 of its pixels, row by row.
"""
import hashlib
import sys

from osgeo import gdal

gdal.UseExceptions()
dataset = gdal.Open(sys.argv[1])
band = dataset.GetRasterBand(1)
for window in sys.argv[2:]:
    x, y, w, h = (int(v) for v in window.split(","))
    print(hashlib.sha256(band.ReadRaster(x, y, w, h)).hexdigest())
