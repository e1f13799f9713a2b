"""`pia-site serve`: live preview with incremental rebuilds and browser reload; it starts from the
build cache ``pia-site build`` keeps (``--jobs`` processes for that first build)."""
from __future__ import annotations

import errno
import signal
import sys
import threading
from pathlib import Path

from .options import add_jobs, add_verbosity

DEFAULT_OUT = Path(".pia-cache/serve")


def _close(sockets) -> None:
    for s in sockets:
        s.close()


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def cmd_serve(args) -> int:
    from ..outdir import OutDirError
    from ..preview.ports import DEFAULT_PORT, bind_preview
    from ..preview.serve import PreviewServer

    try:
        sockets, port = bind_preview(args.host, args.port)
    except OSError as exc:
        asked = args.port if args.port is not None else DEFAULT_PORT
        if exc.errno == errno.EADDRINUSE:
            print(f"エラー: ポート {asked} は使用中です（{args.host}）。--port で別の番号を指定するか、"
                  "--port を付けずに実行すると空いている番号を選びます。", file=sys.stderr)
        else:
            print(f"エラー: {args.host}:{asked} で待ち受けられません（{exc.strerror or exc}）。", file=sys.stderr)
        return 1
    if args.port is None and port != DEFAULT_PORT:
        print(f"ポート {DEFAULT_PORT} は使用中のため、ポート {port} で待ち受けます。", file=sys.stderr)
    server = PreviewServer(args.content, args.out, host=args.host, port=port, poll=args.poll, sockets=sockets,
                           verbosity=args.verbosity, jobs=args.jobs)
    signal.signal(signal.SIGTERM, _interrupt)  # during the first build, as Ctrl+C: its trees beside the output go
    try:
        server.start()
    except KeyboardInterrupt:  # Ctrl+C or SIGTERM during the first build
        server.stop()
        _close(sockets)
        return 130
    except OutDirError as exc:
        print(f"エラー: {exc}", file=sys.stderr)
        server.stop()
        _close(sockets)
        return 2
    except OSError as exc:
        print(f"{args.host}:{port} で待ち受けられません（{exc.strerror or exc}）。--port で別の番号を指定してください。", file=sys.stderr)
        server.stop()
        _close(sockets)
        return 1
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    watching = "ポーリングで監視" if args.poll else "監視"
    print(f"プレビュー: {server.url}  （{args.content} を{watching}中。Ctrl+C で終了）", file=sys.stderr)
    print(server.url, flush=True)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    if args.verbosity >= 0:
        print("プレビューを終了しました。", file=sys.stderr)
    return 0


def register(sub) -> None:
    p = sub.add_parser("serve", help="プレビューを表示し、保存のたびに更新する")
    p.add_argument("--content", type=Path, default=Path("content"), help="コンテンツのフォルダ（既定: content）")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"プレビュー用の出力先（既定: {DEFAULT_OUT}）")
    p.add_argument("--port", type=int, default=None,
                   help="ポート番号（既定: 8000。使用中なら空いている番号を選びます。0 で常に空いている番号。"
                        "指定した番号が使用中ならエラー）")
    p.add_argument("--host", default="127.0.0.1", help="待ち受けるアドレス（既定: 127.0.0.1。この PC からだけ見られます）")
    p.add_argument("--poll", action="store_true", help="ファイルの変更をポーリングで調べる（ネットワークドライブなど）")
    add_verbosity(p)
    add_jobs(p)
    p.set_defaults(func=cmd_serve)
