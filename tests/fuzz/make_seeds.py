#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (tests/fuzz/corpus/<target>/) from the existing tests:
the string literals of each parser's unit tests, the example configuration and profiles, and a
few inputs written here for what the tests spell in code. Files are named by the SHA-1 of their
content, as libFuzzer names its own, so running this again adds nothing twice.

    tests/fuzz/make_seeds.py            (from the repository root)
"""
import hashlib
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
UNIT = ROOT / "tests" / "unit"
CORPUS = ROOT / "tests" / "fuzz" / "corpus"
DICTIONARIES = ROOT / "tests" / "fuzz" / "dictionaries"

RAW = re.compile(r'R"([^(\s]*)\((.*?)\)\1"', re.S)
PLAIN = re.compile(r'(?<![A-Za-z0-9_R])"((?:[^"\\\n]|\\.)*)"')


def unescape(text):
    out, i = bytearray(), 0
    simple = {"n": 10, "t": 9, "r": 13, "0": 0, '"': 34, "'": 39, "\\": 92, "a": 7, "b": 8, "f": 12, "v": 11}
    while i < len(text):
        c = text[i]
        if c != "\\":
            out += c.encode()
            i += 1
            continue
        n = text[i + 1]
        if n == "x":
            j = i + 2
            while j < len(text) and text[j] in "0123456789abcdefABCDEF":
                j += 1
            out.append(int(text[i + 2:j], 16) & 0xFF)
            i = j
        elif n in simple:
            out.append(simple[n])
            i += 2
        else:
            out += n.encode()
            i += 2
    return bytes(out)


def literals(*names):
    """Every string literal of the named test files, in order."""
    found = []
    for name in names:
        source = (UNIT / name).read_text()
        spans = []
        for m in RAW.finditer(source):
            spans.append((m.start(), m.group(2).encode()))
        raw_ranges = [(m.start(), m.end()) for m in RAW.finditer(source)]
        for m in PLAIN.finditer(source):
            if any(a <= m.start() < b for a, b in raw_ranges):
                continue
            spans.append((m.start(), unescape(m.group(1))))
        found.extend(value for _, value in sorted(spans))
    return found


def write(target, inputs):
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for data in inputs:
        if not data:
            continue
        path = folder / hashlib.sha1(data).hexdigest()
        if not path.exists():
            path.write_bytes(data)
            count += 1
    print(f"{target:18} {count:4} new, {len(list(folder.iterdir())):4} in all")


def write_dictionary(target, extra=()):
    """libFuzzer's -dict: the quoted words of the target's seeds (JSON keys and values, XML names),
    so that mutations speak the format's vocabulary."""
    words = set(extra)
    for path in (CORPUS / target).iterdir():
        data = path.read_bytes()
        words.update(re.findall(rb'"[A-Za-z_][A-Za-z0-9_.:/-]{0,40}"', data))
        words.update(re.findall(rb"<[A-Za-z]+", data))
        words.update(re.findall(rb"^[a-z_]+ ?=|^\[[a-z_.]+\]", data, re.M))
    DICTIONARIES.mkdir(parents=True, exist_ok=True)
    lines = []
    for word in sorted(words)[:500]:
        escaped = "".join(chr(b) if 32 <= b < 127 and b not in (34, 92) else "\\x%02x" % b for b in word)
        lines.append(f'"{escaped}"')
    (DICTIONARIES / f"{target}.dict").write_text("\n".join(lines) + "\n")


def conversation(messages, controls=()):
    return b"\0".join(list(messages) + list(controls))


def main():
    write("webhook_form", [l for l in literals("core_twilio_form_test.cpp", "core_twilio_signature_test.cpp") if b"=" in l]
          + [b"\0".join([b"bogus-signature", b"https://example.com/twilio/voice",
                         b"CallSid=CA123&From=%2B15551234567&To=%2B15557654321&CallStatus=ringing"])])

    # The first byte picks the default region (phone_number_fuzz.cpp): none, US, GB, DE, JM, JP.
    write("phone_number", [bytes([region]) + l for l in literals("core_phone_phone_number_test.cpp", "daemon_outbound_test.cpp")
                           if any(c in b"0123456789" for c in l) and len(l) < 64 for region in range(6)])

    write("media_message", [l for l in literals("core_twilio_media_message_test.cpp", "core_twilio_media_frame_scanner_test.cpp")
                            if b'"event"' in l])

    # A call's inputs, spelled as the engine targets read them (engine_events_fuzz.cpp).
    controls = [b"\x02\x00" + b"//////////8=", b"\x02\x04{\"ok\":true}", b"\x02\x05", b"\x02\x03yes please",
                b"\x02\x01Say goodbye", b"\x02\x07", b"\x02\x06earlier", b"\x02\x08Next stage", b"\x02\x09"]
    for target, files in {
        "openai_events": ["core_engine_openai_realtime_adapter_test.cpp", "core_engine_openai_realtime_protocol_test.cpp"],
        "deepgram_events": ["core_engine_deepgram_agent_adapter_test.cpp", "core_engine_deepgram_agent_protocol_test.cpp"],
        "ultravox_events": ["core_engine_ultravox_stream_adapter_test.cpp", "core_engine_ultravox_stream_protocol_test.cpp"],
    }.items():
        events = [l for l in literals(*files) if l.lstrip().startswith(b"{") and b'"type"' in l]
        inputs = list(events)
        inputs.append(conversation(events[:40], controls))
        inputs.append(conversation(events[40:80], controls[::-1]))
        if target != "openai_events":
            inputs.append(conversation(events[:20] + [b"\x01" + bytes(range(256)) * 2], controls))
        write(target, inputs)

    write("config_toml", [(ROOT / "examples" / "sonoria.toml").read_bytes()]
          + [l for l in literals("core_config_loader_test.cpp") if b"=" in l and b"\n" in l])
    profiles = [p.read_bytes() for p in sorted((ROOT / "examples").glob("*.toml")) if p.name != "sonoria.toml"]
    write("profile_toml", profiles + [l for l in literals("core_org_profile_toml_test.cpp", "core_org_profile_validate_test.cpp")
                                      if b"=" in l and b"\n" in l])
    write("profile_json", [l for l in literals("core_org_profile_json_test.cpp") if l.lstrip().startswith(b"{")])

    write("api_body", [l for l in literals("daemon_outbound_api_test.cpp") if l.lstrip().startswith(b"{")]
          + [b'{"to":"+15551234567","org":"lotus-yoga","machine_detection":true}', b'{"to":"+15551234567","org":7}'])
    write("api_cancel_body", [l for l in literals("daemon_appointment_api_test.cpp") if l.lstrip()[:1] in (b"{", b"[")])
    write("api_query", [b"limit=20&since=2026-01-01&until=2026-02-01&status=completed",
                        b"/api/calls/CA0123?limit=5", b"org=lotus%20yoga&q=a+b", b"limit=%zz", b"x=%2", b"=&&a==b&c",
                        b"/api/appointments/AP-7%2F1/cancel", b"limit=1001"])

    heads = [l for l in literals("daemon_request_framing_test.cpp") if b"HTTP/1" in l]
    write("http_request", heads + [
        b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n",
        b"POST /twilio/voice HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        b"X-Twilio-Signature: abc=\r\nContent-Length: 21\r\n\r\nCallSid=CA1&From=%2B1",
        b"POST /api/calls HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"to\"\r\n0\r\n\r\n",
        b"GET /twilio/media HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        b"GET / HTTP/1.0\r\n\r\n",
        b"GET /x HTTP/1.1\r\nHost: a\r\nX-Folded: one\r\n two\r\n\r\n",
        b"BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n",
    ])

    boundary = b"----WebKitFormBoundary7MA4YWxkTrZu0gW"
    write("multipart", [  # first line the Content-Type, then the body
        b"multipart/form-data; boundary=" + boundary + b"\n--" + boundary
        + b'\r\nContent-Disposition: form-data; name="csrf"\r\n\r\nabc123\r\n--' + boundary
        + b'\r\nContent-Disposition: form-data; name="document"; filename="prices.md"\r\nContent-Type: text/markdown'
        + b"\r\n\r\n# Prices\r\n--not a boundary\r\n\r\n--" + boundary + b"--\r\n",
        b'multipart/form-data; boundary=x\n--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--',
        b"application/x-www-form-urlencoded\na=1",
    ])

    write("g711", [bytes(range(256)), bytes([0xFF, 0x7F, 0x00, 0x80]) * 40, b"\xd5" * 160])
    write("resample", [bytes([0, 2, 7]) + bytes(range(256)) * 4, bytes([6, 0, 31]) + b"\x00\x40\x00\xc0" * 300,
                       bytes([4, 2, 0]) + b"\xff\x7f\x00\x80" * 50])

    write("twiml", [l for l in literals("core_twilio_twiml_reader_test.cpp", "daemon_twiml_replies_test.cpp",
                                        "core_simulate_twiml_text_test.cpp") if b"<" in l and b">" in l])


if __name__ == "__main__":
    main()
    for name in ("media_message", "openai_events", "deepgram_events", "ultravox_events", "config_toml", "profile_toml",
                 "profile_json", "api_body", "twiml"):
        write_dictionary(name)
    write_dictionary("http_request", [b"Transfer-Encoding:", b"Content-Length:", b"chunked", b"Host:", b"\r\n",
                                      b"HTTP/1.1", b"Upgrade: websocket", b"Connection:"])
    write_dictionary("webhook_form", [b"%2B", b"%", b"+", b"&", b"="])
    write_dictionary("phone_number", [b"+1", b"+44", b"00", b"011", b"ext. ", b" x", b";ext=", b"tel:", b"(", b")",
                                      b"-", b"+1 876", b"1-800-"])
