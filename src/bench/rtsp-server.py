#!/usr/bin/python3
"""A real RTSP server for the tests and `bench cameras`: GStreamer's gst-rtsp-server serving H.264 clips in a loop,
without re-encoding, one pipeline per client.

Each clip is an Annex B elementary stream with access-unit delimiters (made with ffmpeg: `-x264-params aud=1
-f h264`). The file is cut into access units once; every client gets its own live `appsrc` pipeline that a timer feeds
one access unit per frame interval, looping from the first (a keyframe), timestamped on the pipeline clock, so the
stream runs in real time forever.

With --stamp, every access unit carries an SEI message (user data unregistered, UUID "SIGHTLINE-STAMP!") with the
time in milliseconds at which the server pushed it, as 13 ASCII digits: a latency probe that survives stream copy, so
a browser can tell how long after leaving the server each frame was shown. The time is CLOCK_MONOTONIC (milliseconds
since boot), which every process of the machine shares and which does not jump as the wall clock can; Node reads the
same clock with process.hrtime.

Every client that plays a stream, and its end, is printed on stdout as one line, so a test can tell who pulled which
stream when: `CLIENT PLAY <wall ms> <mount> <user agent>` and `CLIENT CLOSED <wall ms> <mount> <user agent>`.

usage: /usr/bin/python3 rtsp-server.py --port PORT --mount NAME=FILE.h264 [--mount ...] [--fps 15] [--stamp]
Prints "READY <port>" on stdout once it listens; streams are rtsp://127.0.0.1:PORT/NAME. SIGTERM stops it.
"""
import argparse
import signal
import sys
import time

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
gi.require_version("GstRtsp", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

AUD = b"\x00\x00\x00\x01\x09"
STAMP_UUID = b"SIGHTLINE-STAMP!"


def stamped(unit: bytes) -> bytes:
    """The access unit with an SEI NAL (type 6, payload 5 = user data unregistered) after its delimiter."""
    payload = STAMP_UUID + b"%013d" % (time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1_000_000)
    sei = b"\x00\x00\x00\x01\x06\x05" + bytes([len(payload)]) + payload + b"\x80"
    end = unit.find(b"\x00\x00\x01", len(AUD))
    end = end - 1 if end > 0 and unit[end - 1] == 0 else end
    return unit[:end] + sei + unit[end:]


def access_units(path: str) -> list:
    data = open(path, "rb").read()
    starts = []
    i = data.find(AUD)
    while i >= 0:
        starts.append(i)
        i = data.find(AUD, i + len(AUD))
    if not starts:
        raise SystemExit(f"{path}: expected an H.264 Annex B stream with access-unit delimiters, found none")
    starts.append(len(data))
    return [data[a:b] for a, b in zip(starts, starts[1:])]


def serve(factory: GstRtspServer.RTSPMediaFactory, units: list, fps: int, stamp: bool) -> None:
    def on_configure(_factory, media):
        src = media.get_element().get_child_by_name("src")
        state = {"next": 0, "live": True}

        def push():
            if not state["live"]:
                return False
            unit = units[state["next"]]
            src.emit("push-buffer", Gst.Buffer.new_wrapped(stamped(unit) if stamp else unit))
            state["next"] = (state["next"] + 1) % len(units)
            return True

        def stop(*_):
            state["live"] = False

        media.connect("unprepared", stop)
        GLib.timeout_add(max(1, round(1000 / fps)), push)

    factory.connect("media-configure", on_configure)


def watch_clients(server: GstRtspServer.RTSPServer) -> None:
    """Prints each client's PLAY and its end (the connection closed) with its mount and User-Agent."""

    def on_client(_server, client):
        seen = {"mount": None, "ua": "-"}

        def on_play(_client, ctx):
            ok, ua = ctx.request.get_header(GstRtsp.RTSPHeaderField.USER_AGENT, 0)
            seen["ua"] = ua if ok == GstRtsp.RTSPResult.OK and ua else "-"
            seen["mount"] = ctx.uri.abspath if ctx.uri else "?"
            print(f"CLIENT PLAY {int(time.time() * 1000)} {seen['mount']} {seen['ua']}", flush=True)

        def on_closed(_client):
            if seen["mount"] is not None:
                print(f"CLIENT CLOSED {int(time.time() * 1000)} {seen['mount']} {seen['ua']}", flush=True)

        client.connect("play-request", on_play)
        client.connect("closed", on_closed)

    server.connect("client-connected", on_client)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--mount", action="append", default=[], help="NAME=FILE.h264")
    parser.add_argument("--fps", type=int, default=15)
    parser.add_argument("--stamp", action="store_true", help="add an SEI with the send time (CLOCK_MONOTONIC, ms) to every frame")
    args = parser.parse_args()
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    mounts = server.get_mount_points()
    clips = {}
    for spec in args.mount:
        name, _, path = spec.partition("=")
        if path not in clips:
            clips[path] = access_units(path)
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(
            "( appsrc name=src is-live=true do-timestamp=true format=time "
            f'caps="video/x-h264,stream-format=byte-stream,alignment=au,framerate={args.fps}/1" '
            "! h264parse ! rtph264pay name=pay0 pt=96 config-interval=1 )"
        )
        factory.set_shared(False)
        serve(factory, clips[path], args.fps, args.stamp)
        mounts.add_factory(f"/{name}", factory)
    watch_clients(server)
    if server.attach(None) == 0:
        print(f"cannot listen on 127.0.0.1:{args.port}", file=sys.stderr)
        return 1
    loop = GLib.MainLoop()
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, loop.quit)
    print(f"READY {args.port}", flush=True)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
