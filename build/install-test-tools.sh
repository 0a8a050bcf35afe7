#!/usr/bin/env bash
# Installs the real S3 clients the tests drive (Debian packages). s3rver (npm) is installed by
# the test project's build (S3Overlay.Tests.csproj, target InstallS3rver).
set -euo pipefail
need=()
command -v s3cmd >/dev/null || need+=(s3cmd)
command -v rclone >/dev/null || need+=(rclone)
[ -x /usr/bin/restic ] || need+=(restic)
[ -x /usr/bin/aws ] || need+=(awscli)
# systemd-analyze checks the service unit (deploy/systemd).
command -v systemd-analyze >/dev/null || need+=(systemd)
# Headless Chromium for the web browser's end-to-end test (driven by Playwright with ExecutablePath).
[ -x /usr/bin/chromium ] || need+=(chromium)
# The boto3 tests run Debian's /usr/bin/python3 (not whatever python3 comes first on PATH); the presigned-POST one also posts with requests.
/usr/bin/python3 -c 'import boto3, requests' 2>/dev/null || need+=(python3-boto3 python3-requests)
# The Prometheus client's own exposition parsers read the proxy's /_overlay/metrics (Telemetry/Prometheus tests).
/usr/bin/python3 -c 'import prometheus_client.parser, prometheus_client.openmetrics.parser' 2>/dev/null || need+=(python3-prometheus-client)
# Prometheus (promtool parses the Grafana dashboard's queries as PromQL; the server scrapes a proxy: GrafanaDashboardTests).
[ -x /usr/bin/promtool ] && [ -x /usr/bin/prometheus ] || need+=(prometheus)
# PyYAML reads, and yamllint checks, the Kubernetes manifests (deploy/kubernetes: KubernetesManifestTests).
{ /usr/bin/python3 -c 'import yaml' 2>/dev/null && [ -x /usr/bin/yamllint ]; } || need+=(python3-yaml yamllint)
# smart_open, a range reader that seeks by reopening `bytes=X-` (SeekingReaderTests).
/usr/bin/python3 -c 'import smart_open' 2>/dev/null || need+=(python3-smart-open)
# nginx: the round-robin load balancer in front of a fleet of proxies (Fleet tests).
[ -x /usr/sbin/nginx ] || need+=(nginx)
# A minio-go v7 client (restic's and mc's library) built by the tests, offline, with Debian's Go.
[ -x /usr/bin/go ] || need+=(golang-go)
[ -d /usr/share/gocode/src/github.com/minio/minio-go/v7 ] || need+=(golang-github-minio-minio-go-v7-dev)
# GDAL 3.6's /vsis3/ (gdal_translate, and its Python bindings for gdal_windows.py): GdalTests.
{ [ -x /usr/bin/gdal_translate ] && /usr/bin/python3 -c 'from osgeo import gdal' 2>/dev/null; } || need+=(gdal-bin python3-gdal)
# barman-cloud's WAL archiver and restore tools (boto3 underneath): BarmanCloudTests.
[ -x /usr/bin/barman-cloud-wal-archive ] || need+=(barman-cli-cloud)
# pgBackRest (S3 over HTTPS only; no PostgreSQL needed: PgBackRestTests writes a stopped cluster's files).
[ -x /usr/bin/pgbackrest ] || need+=(pgbackrest)
# The AWS SDK for Ruby 1.117 (ruby_s3.rb): RubySdkTests.
/usr/bin/ruby -e "require 'aws-sdk-s3'" 2>/dev/null || need+=(ruby-aws-sdk-s3)
# ceph/s3-tests (conformance/s3-tests, its requirements.txt as Debian packages it) and pytest-timeout
# for its runner: run.sh, and the Conformance tests, which skip without them.
/usr/bin/python3 "$(dirname "$0")/../conformance/s3-tests/dependencies.py" >/dev/null 2>&1 ||
  need+=(python3-pytest python3-pytest-timeout python3-munch python3-gevent python3-isodate python3-httplib2 python3-lxml python3-tz python3-dateutil python3-requests python3-boto3 python3-yaml)
# RabbitMQ, the AMQP broker a remote publishes its change events to (S3Overlay.Tests/Infrastructure/Brokers/RabbitMqBroker.cs).
[ -x /usr/sbin/rabbitmq-server ] || need+=(rabbitmq-server)
# The brokers bucket notifications are delivered to, each started by its test on a free loopback
# port with a data folder of its own (S3Overlay.Tests/Infrastructure/Brokers): NATS, Redis,
# Mosquitto (MQTT) and PostgreSQL (initdb and pg_ctl run as the postgres user).
[ -x /usr/sbin/nats-server ] || need+=(nats-server)
[ -x /usr/bin/redis-server ] || need+=(redis-server)
[ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need+=(postgresql)
# Ceph's RADOS Gateway, a production S3 server, on a throw-away cluster (build/rgw/rgw-cluster.sh):
# the overlay's local store and remote in the RGW test classes. Without recommends: 55 packages, not 200.
rgw=()
for tool in /usr/bin/ceph-mon:ceph-mon /usr/bin/ceph-osd:ceph-osd /usr/bin/radosgw:radosgw /usr/bin/radosgw-admin:ceph-common; do
  [ -x "${tool%%:*}" ] || rgw+=("${tool##*:}")
done
[ ${#need[@]} -eq 0 ] && [ ${#rgw[@]} -eq 0 ] && exit 0
echo "Installing test tools: ${need[*]} ${rgw[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
[ ${#need[@]} -eq 0 ] || DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
[ ${#rgw[@]} -eq 0 ] || DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${rgw[@]}" >/dev/null
