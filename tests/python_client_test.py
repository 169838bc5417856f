#!/usr/bin/env python3
"""A client that knows only the .proto files: Python's grpcio with stubs
generated from proto/ now, against `carelog serve` on a loopback port.
Appends, subscribes and reads with tokens of the right role, and is refused
with the right code otherwise; the standard health and reflection services
answer.

usage: python_client_test.py CARELOG_BINARY PROTO_DIR
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading


def main():
    carelog, proto_dir = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp(prefix="carelog-py-")
    try:
        run(carelog, proto_dir, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("python client: all checks passed")


def generate_stubs(proto_dir, out):
    protos = ["carelog/v1/events.proto", "carelog/v1/service.proto"]
    try:
        from grpc_tools import protoc  # noqa: F401  (pip's grpcio-tools)
        cmd = [sys.executable, "-m", "grpc_tools.protoc"]
        extra = []
    except ImportError:  # Debian: protobuf-compiler + protobuf-compiler-grpc
        cmd = [shutil.which("protoc") or "protoc"]
        plugin = shutil.which("grpc_python_plugin") or "/usr/bin/grpc_python_plugin"
        extra = ["--plugin=protoc-gen-grpc_python=" + plugin]
    subprocess.run(cmd + ["-I", proto_dir, "--python_out=" + out, "--grpc_python_out=" + out]
                   + extra + protos, check=True)


def run(carelog, proto_dir, tmp):
    generate_stubs(proto_dir, tmp)
    sys.path.insert(0, tmp)
    import grpc
    from carelog.v1 import events_pb2, service_pb2, service_pb2_grpc

    tokens_file = os.path.join(tmp, "tokens")
    tokens = {}
    for name, role in [("mosaic", "writer"), ("dashboard", "reader"), ("audit", "auditor"),
                       ("office", "qa")]:
        out = subprocess.run([carelog, "token", "add", "--config", tokens_file, "--name", name,
                              "--role", role], check=True, capture_output=True, text=True)
        tokens[name] = out.stdout.strip()
    assert tokens["mosaic"] not in open(tokens_file).read(), "clear token in the tokens file"

    store = os.path.join(tmp, "store")
    server = subprocess.Popen([carelog, "serve", "--store", store, "--tokens", tokens_file,
                               "--listen", "127.0.0.1:0", "--insecure-loopback"],
                              stdout=subprocess.PIPE, text=True)
    try:
        banner = server.stdout.readline()
        port = re.search(r"127\.0\.0\.1:(\d+)", banner).group(1)
        channel = grpc.insecure_channel("127.0.0.1:" + port)
        grpc.channel_ready_future(channel).result(timeout=10)
        stub = service_pb2_grpc.CarelogStub(channel)

        def auth(name):
            return (("authorization", "Bearer " + tokens[name]),)

        # Standard health service and server reflection, by raw bytes.
        name = b"carelog.v1.Carelog"
        check = channel.unary_unary("/grpc.health.v1.Health/Check")
        assert check(b"\x0a" + bytes([len(name)]) + name, timeout=10) == b"\x08\x01", "not SERVING"
        reflect = channel.stream_stream(
            "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo")
        answers = list(reflect(iter([b"\x3a\x00"]), timeout=10))  # list_services: ""
        assert name in answers[0], answers
        reflect_v1 = channel.stream_stream(
            "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo")
        answers = list(reflect_v1(iter([b"\x3a\x00"]), timeout=10))  # the same in v1
        assert name in answers[0] and b"grpc.reflection.v1.ServerReflection" in answers[0], answers

        def event(eid, case, **payload):
            e = events_pb2.Event(event_id=eid, case_id=case,
                                 actor=events_pb2.Actor(id="sw-1", role=events_pb2.SOCIAL_WORKER),
                                 **payload)
            e.occurred_at.FromJsonString("2024-03-01T10:00:00Z")
            return e

        accommodated = event("py-1", "C-PY", child_accommodated=events_pb2.ChildAccommodated(
            legal_status="C2", placement_type="U1"))
        notified = event("py-2", "C-PY", iro_service_notified=events_pb2.IroServiceNotified())

        # A subscriber from the start, before anything is appended.
        received = []
        got_three = threading.Event()
        sub = stub.Subscribe(service_pb2.SubscribeRequest(from_position=1),
                             metadata=auth("dashboard"))

        def follow():
            try:
                for msg in sub:
                    received.append((msg.event.position, msg.event.event_id))
                    if len(received) == 3:
                        got_three.set()
            except grpc.RpcError as e:
                assert e.code() == grpc.StatusCode.CANCELLED, e

        follower = threading.Thread(target=follow)
        follower.start()

        reply = stub.Append(service_pb2.AppendRequest(events=[accommodated, notified],
                                                      expected_version=0),
                            metadata=auth("mosaic"), timeout=10)
        # (The subscription's own access record came first in the log.)
        positions = list(reply.positions)
        assert len(positions) == 2 and positions[0] < positions[1], reply
        assert reply.case_version == 2 and not any(reply.already_present), reply
        # Idempotent retry.
        again = stub.Append(service_pb2.AppendRequest(events=[accommodated, notified],
                                                      expected_version=0),
                            metadata=auth("mosaic"), timeout=10)
        assert list(again.positions) == positions and all(again.already_present), again
        third = event("py-3", "C-PY", iro_allocated=events_pb2.IroAllocated(iro_id="iro-9"))
        reply3 = stub.Append(service_pb2.AppendRequest(events=[third], expected_version=2),
                             metadata=auth("mosaic"), timeout=10)
        positions += list(reply3.positions)

        assert got_three.wait(10), received
        sub.cancel()
        follower.join(10)
        assert received == list(zip(positions, ["py-1", "py-2", "py-3"])), received

        # With report_skipped every position is accounted for: events, and
        # runs of system records (the subscriptions' access records).
        checked = stub.Subscribe(service_pb2.SubscribeRequest(from_position=1,
                                                              report_skipped=True),
                                 metadata=auth("dashboard"))
        expect, skipped, seen = 1, [], []
        for msg in checked:
            if msg.HasField("skipped"):
                assert msg.skipped.first_position == expect, (msg, expect)
                skipped.append((msg.skipped.first_position, msg.skipped.last_position))
                expect = msg.skipped.last_position + 1
            else:
                assert msg.event.position == expect, (msg, expect)
                seen.append(msg.event.position)
                expect += 1
            if expect > positions[-1] + 1:  # the run after the last event too
                break
        checked.cancel()
        assert seen == positions and skipped, (seen, skipped)

        case = stub.ReadCase(service_pb2.ReadCaseRequest(case_id="C-PY"),
                             metadata=auth("dashboard"), timeout=10)
        assert [e.event_id for e in case.events] == ["py-1", "py-2", "py-3"], case
        assert case.version == 3 and case.events[0].HasField("recorded_at")
        log = stub.AccessLog(service_pb2.AccessLogRequest(case_id="C-PY"), metadata=auth("audit"),
                             timeout=10)
        # This case's read, and the two subscriptions (reads of every case).
        assert [(r.token_name, r.method, r.case_id) for r in log.records] == [
            ("dashboard", "Subscribe", ""), ("dashboard", "Subscribe", ""),
            ("dashboard", "ReadCase", "C-PY")], log

        def refused(code, call, *args, **kw):
            try:
                call(*args, timeout=10, **kw)
            except grpc.RpcError as e:
                assert e.code() == code, (code, e.code(), e.details())
                return e.details()
            raise AssertionError("not refused: expected %s" % code)

        bad = event("py-4", "C-PY", child_accommodated=events_pb2.ChildAccommodated(
            legal_status="XX", placement_type="U1"))
        details = refused(grpc.StatusCode.INVALID_ARGUMENT, stub.Append,
                          service_pb2.AppendRequest(events=[bad]), metadata=auth("mosaic"))
        assert "legalStatus" in details, details
        refused(grpc.StatusCode.ABORTED, stub.Append,
                service_pb2.AppendRequest(events=[event(
                    "py-5", "C-PY", iro_allocated=events_pb2.IroAllocated(iro_id="x"))],
                    expected_version=1), metadata=auth("mosaic"))
        changed = event("py-1", "C-PY", child_accommodated=events_pb2.ChildAccommodated(
            legal_status="C2", placement_type="U2"))
        refused(grpc.StatusCode.ALREADY_EXISTS, stub.Append,
                service_pb2.AppendRequest(events=[changed]), metadata=auth("mosaic"))
        again_in_care = event("py-6", "C-PY", child_accommodated=events_pb2.ChildAccommodated(
            legal_status="C2", placement_type="U1"))
        refused(grpc.StatusCode.FAILED_PRECONDITION, stub.Append,
                service_pb2.AppendRequest(events=[again_in_care]), metadata=auth("mosaic"))
        refused(grpc.StatusCode.UNAUTHENTICATED, stub.ReadCase,
                service_pb2.ReadCaseRequest(case_id="C-PY"))
        refused(grpc.StatusCode.UNAUTHENTICATED, stub.ReadCase,
                service_pb2.ReadCaseRequest(case_id="C-PY"),
                metadata=(("authorization", "Bearer clg_wrong"),))
        refused(grpc.StatusCode.PERMISSION_DENIED, stub.Append,
                service_pb2.AppendRequest(events=[third]), metadata=auth("dashboard"))
        refused(grpc.StatusCode.PERMISSION_DENIED, stub.ReadCase,
                service_pb2.ReadCaseRequest(case_id="C-PY"), metadata=auth("mosaic"))
        refused(grpc.StatusCode.PERMISSION_DENIED, stub.Audit,
                service_pb2.AuditRequest(case_id="C-PY"), metadata=auth("dashboard"))
        audit = stub.Audit(service_pb2.AuditRequest(case_id="C-PY"), metadata=auth("audit"),
                           timeout=10)
        assert '"caseId"' in audit.json or "C-PY" in audit.json, audit.json[:200]
        refused(grpc.StatusCode.PERMISSION_DENIED, stub.CaseState,
                service_pb2.CaseStateRequest(case_id="C-PY"), metadata=auth("mosaic"))
        state = stub.CaseState(service_pb2.CaseStateRequest(case_id="C-PY", as_of="2024-06-30"),
                               metadata=auth("dashboard"), timeout=10)
        assert '"caseId":"C-PY","asOf":"2024-06-30"' in state.json, state.json[:200]
        # The case list (qa): `carelog cases --format json`; looked_after is an
        # optional bool, so False is a filter, not "unset".
        refused(grpc.StatusCode.PERMISSION_DENIED, stub.ListCases,
                service_pb2.ListCasesRequest(), metadata=auth("dashboard"))
        listed = stub.ListCases(service_pb2.ListCasesRequest(as_of="2024-06-30", iro="iro-9",
                                                             looked_after=True),
                                metadata=auth("office"), timeout=10)
        assert '"caseId":"C-PY"' in listed.json and '"iro":"iro-9"' in listed.json, listed.json
        not_looked_after = stub.ListCases(
            service_pb2.ListCasesRequest(as_of="2024-06-30", looked_after=False),
            metadata=auth("office"), timeout=10)
        assert not_looked_after.json == "[\n]\n", not_looked_after.json
        details = refused(grpc.StatusCode.INVALID_ARGUMENT, stub.ListCases,
                          service_pb2.ListCasesRequest(as_of="2024-13-01"),
                          metadata=auth("office"))
        assert "'asOf'" in details, details
        every = stub.AccessLog(service_pb2.AccessLogRequest(), metadata=auth("audit"), timeout=10)
        assert [(r.token_name, r.role, r.case_id) for r in every.records
                if r.method == "ListCases"] == [("office", "qa", "")] * 2, every
        channel.close()
    finally:
        server.send_signal(signal.SIGTERM)
        rc = server.wait(30)
    assert rc == 0, "serve exited %d after SIGTERM" % rc


if __name__ == "__main__":
    main()
