/* Makes fsync and fdatasync do nothing, for building a benchmark's fixture only (bench/listing.py):
   a million sidecars flushed one by one would take hours on a disk that flushes in 10 ms, and a
   fixture need not survive a power cut. The run calls sync(1) once afterwards; nothing is measured
   under it. Build: gcc -shared -fPIC -o nofsync.so nofsync.c */
int fsync(int fd) { (void)fd; return 0; }
int fdatasync(int fd) { (void)fd; return 0; }
