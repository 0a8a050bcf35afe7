// A client built on minio-go v7 (Debian's golang-github-minio-minio-go-v7-dev), as restic, mc
// and many Go tools use it: each check prints "ok NAME" or "FAIL NAME: why"; the exit code is
// the number of failures. Usage: minio-go-client ENDPOINT ACCESS_KEY SECRET_KEY BUCKET
package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/encrypt"
)

var failures int

func check(name string, err error) {
	if err != nil {
		failures++
		fmt.Printf("FAIL %s: %v\n", name, err)
		return
	}
	fmt.Printf("ok %s\n", name)
}

func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7) + seed
	}
	return b
}

func readBack(ctx context.Context, c *minio.Client, bucket, key string, want []byte) error {
	obj, err := c.GetObject(ctx, bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return err
	}
	defer obj.Close()
	got, err := io.ReadAll(obj)
	if err != nil {
		return err
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("read back %d bytes, not the %d written", len(got), len(want))
	}
	return nil
}

func refused(err error, code string) error {
	if err == nil {
		return fmt.Errorf("accepted, want %s", code)
	}
	if got := minio.ToErrorResponse(err).Code; got != code {
		return fmt.Errorf("refused with %q (%v), want %s", got, err, code)
	}
	return nil
}

func main() {
	endpoint, access, secret, bucket := os.Args[1], os.Args[2], os.Args[3], os.Args[4]
	ctx := context.Background()
	// TrailingHeaders: parts are sent aws-chunked with a signed CRC32C trailer, minio-go's own framing.
	c, err := minio.New(endpoint, &minio.Options{Creds: credentials.NewStaticV4(access, secret, ""), Region: "us-east-1", TrailingHeaders: true})
	if err != nil {
		check("client", err)
		os.Exit(failures)
	}

	// Known size over one part: two parts with signed trailers, completed with the CRC32C of
	// the parts' CRC32Cs and no "-2", as minio-go sends it.
	big := pattern(5*1024*1024+1, 1)
	_, err = c.PutObject(ctx, bucket, "mgo/trailer.bin", bytes.NewReader(big), int64(len(big)), minio.PutObjectOptions{PartSize: 5 * 1024 * 1024})
	if err == nil {
		err = readBack(ctx, c, bucket, "mgo/trailer.bin", big)
	}
	check("multipart-signed-trailer", err)

	// Unknown size (a pipe): every upload of this kind is multipart with a composite checksum.
	small := pattern(100*1024, 2)
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(func() error { _, e := pw.Write(small); return e }()) }()
	_, err = c.PutObject(ctx, bucket, "mgo/pipe.bin", pr, -1, minio.PutObjectOptions{PartSize: 5 * 1024 * 1024})
	if err == nil {
		err = readBack(ctx, c, bucket, "mgo/pipe.bin", small)
	}
	check("unknown-size-composite", err)

	_, err = c.PutObject(ctx, bucket, "mgo/rrs.txt", bytes.NewReader([]byte("r")), 1, minio.PutObjectOptions{StorageClass: "REDUCED_REDUNDANCY"})
	if err == nil {
		var info minio.ObjectInfo
		// minio-go 7.0.46 leaves the class in the answer's headers.
		if info, err = c.StatObject(ctx, bucket, "mgo/rrs.txt", minio.StatObjectOptions{}); err == nil && info.Metadata.Get("X-Amz-Storage-Class") != "REDUCED_REDUNDANCY" {
			err = fmt.Errorf("stat says storage class %q", info.Metadata.Get("X-Amz-Storage-Class"))
		}
	}
	check("storage-class-kept", err)

	_, err = c.PutObject(ctx, bucket, "mgo/ia.txt", bytes.NewReader([]byte("i")), 1, minio.PutObjectOptions{StorageClass: "STANDARD_IA"})
	check("storage-class-refused", refused(err, "InvalidStorageClass"))

	_, err = c.PutObject(ctx, bucket, "mgo/sse.txt", bytes.NewReader([]byte("s")), 1, minio.PutObjectOptions{ServerSideEncryption: encrypt.NewSSE()})
	check("sse-refused", refused(err, "NotImplemented"))

	os.Exit(failures)
}
