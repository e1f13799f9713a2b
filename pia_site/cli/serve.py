"""`pia-site serve`: live preview with incremental rebuilds and browser reload."""
from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

DEFAULT_OUT = Path(".pia-cache/serve")


def cmd_serve(args) -> int:
    from ..outdir import OutDirError
    from ..preview.serve import PreviewServer

    server = PreviewServer(args.content, args.out, host=args.host, port=args.port, poll=args.poll)
    try:
        server.start()
    except OutDirError as exc:
        print(f"エラー: {exc}", file=sys.stderr)
        server.stop()
        return 2
    except OSError as exc:
        print(f"{args.host}:{args.port} で待ち受けられません（{exc.strerror or exc}）。--port で別の番号を指定してください。", file=sys.stderr)
        server.stop()
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
    print("プレビューを終了しました。", file=sys.stderr)
    return 0


def register(sub) -> None:
    p = sub.add_parser("serve", help="プレビューを表示し、保存のたびに更新する")
    p.add_argument("--content", type=Path, default=Path("content"), help="コンテンツのフォルダ（既定: content）")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"プレビュー用の出力先（既定: {DEFAULT_OUT}）")
    p.add_argument("--port", type=int, default=8000, help="ポート番号（既定: 8000、0 で空いている番号）")
    p.add_argument("--host", default="127.0.0.1", help="待ち受けるアドレス（既定: 127.0.0.1。この PC からだけ見られます）")
    p.add_argument("--poll", action="store_true", help="ファイルの変更をポーリングで調べる（ネットワークドライブなど）")
    p.set_defaults(func=cmd_serve)
