# S3 Overlay as a container image (README, "Container image"); the same image as the SDK's
# `dotnet publish -t:PublishContainer`, plus a VOLUME and a HEALTHCHECK, which the SDK cannot declare.
#   docker build -t s3overlay .
#   docker run -p 8000:8000 -v s3overlay-data:/home/app/data \
#     -e S3_OVERLAY_ACCESS_KEY=… -e S3_OVERLAY_SECRET_KEY=… s3overlay
FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG TARGETARCH
WORKDIR /src
COPY . .
# One self-contained, precompiled file for the image's architecture (amd64 or arm64).
RUN dotnet publish S3Overlay.Proxy -c Release -r linux-$([ "$TARGETARCH" = arm64 ] && echo arm64 || echo x64) \
      -p:PublishSingleFile=true -o /out

FROM mcr.microsoft.com/dotnet/runtime-deps:10.0
COPY --from=build /out/s3overlay /usr/local/bin/s3overlay
# The data folder, owned by the image's unprivileged user, so a named volume mounted there is too.
RUN mkdir -p /home/app/data && chown app:app /home/app/data
USER app
WORKDIR /home/app
VOLUME /home/app/data
ENV S3_OVERLAY_DATA_DIR=/home/app/data \
    ASPNETCORE_URLS=http://+:8000
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=10s CMD ["s3overlay", "health"]
ENTRYPOINT ["s3overlay"]
CMD ["serve"]
