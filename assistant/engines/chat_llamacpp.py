"""The local chat model: a GGUF file run in-process by llama.cpp (llama-cpp-python).

The only module that imports llama_cpp for chat. One `LlamaCppChatModel` holds one loaded
model; create it once where the services are wired (loading takes seconds and ~1.5 GB of
RAM) and share it. The file's SHA-256 is checked before the load.

Behaviour worth knowing:
- Calls are serialised behind a lock: a llama.cpp context is not thread-safe. A caller waits
  at most `timeout_s` for the lock, then gets a "busy" GenerationError.
- The model's own chat template is used (`create_chat_completion`).
- Prefix reuse: the context keeps the tokens of the previous call in its KV cache, and a new
  prompt that starts with the same tokens (the fixed system message) only evaluates the rest.
  This needs nothing but one shared object; `ram_cache_bytes` adds llama.cpp's RAM state
  cache, which only helps when several different prefixes alternate (and costs a state copy
  after every call).
- Timeout: `timeout_s` counts from the moment the lock is held. Past it the stream stops and
  `GenerationTimeout` (a GenerationError) is raised, carrying the text already written in
  `.partial`. During prompt evaluation the limit is enforced by llama.cpp's abort callback;
  during writing it is checked after every token.
- `max_tokens` is capped by `llm.max_tokens`.
"""

from __future__ import annotations

import ctypes
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from assistant.engines.chat import ChatMessage, ChatModel, ChatModelInfo, GenerationTimeout, check_messages
from assistant.engines.model_file import verified_model_path
from assistant.errors import GenerationError, ModelError
from assistant.settings import LLMSettings


class LlamaCppChatModel(ChatModel):
    """A GGUF chat model loaded once, verified by SHA-256, used by one caller at a time."""

    def __init__(self, settings: LLMSettings, models_dir: Path, *, ram_cache_bytes: int = 0) -> None:
        # The engine is imported here, so importing this module costs nothing.
        try:
            import llama_cpp
        except ImportError as exc:
            raise ModelError(
                f"Le moteur llama-cpp-python n'est pas installé ({exc.name}) : relancez `make install`.",
                f"The llama-cpp-python engine is not installed ({exc.name}): run `make install` again.",
            ) from exc
        # Check the file's hash before anything reads it as a model.
        path, sha256 = verified_model_path(settings, models_dir)
        try:
            self._llama = llama_cpp.Llama(
                model_path=str(path),
                n_ctx=settings.n_ctx,
                n_threads=settings.n_threads,
                n_threads_batch=settings.n_threads,
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError, MemoryError) as exc:
            raise ModelError(
                f"Le modèle {path.name} n'a pas pu être chargé par llama.cpp ({exc}) : vérifiez le fichier et la mémoire disponible.",
                f"llama.cpp could not load the model {path.name} ({exc}): check the file and the available memory.",
            ) from exc
        if ram_cache_bytes > 0:
            self._llama.set_cache(llama_cpp.LlamaRAMCache(capacity_bytes=ram_cache_bytes))
        self._settings = settings
        self._lock = threading.Lock()
        self._deadline = float("inf")
        self._abort = _AbortSwitch(llama_cpp, self._llama, lambda: time.monotonic() > self._deadline)
        self.path = path  # health checks that the file is still there (a restart would need it)
        self.info = ChatModelInfo(name=path.name, backend="llama-cpp", file_sha256=sha256, context_size=self._llama.n_ctx())

    def tokens(self, text: str) -> int:
        """Exact number of tokens of `text` for this model (no BOS, special tokens parsed)."""
        return len(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def stream(self, messages: list[ChatMessage], max_tokens: int, stop: list[str] | None = None) -> Iterator[str]:
        """Yield the answer piece by piece; see the module docstring for limits and errors."""
        check_messages(messages)
        timeout_s = self._settings.timeout_s
        limit = max(1, min(max_tokens, self._settings.max_tokens))
        # One generation at a time on this context.
        if not self._lock.acquire(timeout=timeout_s):
            raise GenerationError(
                f"Le modèle est occupé par d'autres demandes depuis plus de {timeout_s:g} s : réessayez dans un moment.",
                f"The model has been busy with other requests for more than {timeout_s:g} s: try again in a moment.",
            )
        written: list[str] = []
        chunks: Any = None
        try:
            # Arm the deadline: the abort callback covers prompt evaluation.
            self._deadline = time.monotonic() + timeout_s
            self._abort.arm()
            chunks = self._llama.create_chat_completion(
                messages=[message.as_dict() for message in messages],
                max_tokens=limit,
                stop=list(stop or []),
                temperature=self._settings.temperature,
                stream=True,
            )
            for chunk in chunks:
                # The first chunk means the prompt is evaluated: from here the deadline is checked per token.
                self._abort.disarm()
                piece = chunk["choices"][0]["delta"].get("content")
                if piece:
                    written.append(piece)
                    yield piece
                if time.monotonic() > self._deadline:
                    raise GenerationTimeout(timeout_s, "".join(written))
        except GenerationError:
            raise
        except (RuntimeError, ValueError) as exc:
            # An abort by the callback surfaces as a failed llama_decode.
            if time.monotonic() > self._deadline:
                raise GenerationTimeout(timeout_s, "".join(written)) from exc
            if "context window" in str(exc):
                raise GenerationError(
                    f"La demande dépasse la fenêtre de contexte du modèle ({self.info.context_size} jetons) : raccourcissez la question ou les passages.",
                    f"The request exceeds the model's context window ({self.info.context_size} tokens): shorten the question or the passages.",
                ) from exc
            raise GenerationError(
                f"Le modèle local a échoué pendant la génération ({exc}) : réessayez ; si cela persiste, redémarrez le service.",
                f"The local model failed while generating ({exc}): try again; if it persists, restart the service.",
            ) from exc
        finally:
            # Stop the engine's generator (keeps its KV cache consistent), then free the context.
            self._abort.disarm()
            if chunks is not None:
                chunks.close()
            self._deadline = float("inf")
            self._lock.release()

    def close(self) -> None:
        """Free the model's memory now (the object is unusable afterwards)."""
        with self._lock:
            self._llama.close()


class _AbortSwitch:
    """llama.cpp's abort callback, installed only while a prompt is evaluated.

    The callback is Python, so llama.cpp takes the GIL before every graph node; that is
    negligible for prompt batches but not for single-token steps, hence `disarm` once the
    first token is out. Silently does nothing if the library does not export the function.
    """

    def __init__(self, llama_cpp: Any, llama: Any, should_abort: Callable[[], bool]) -> None:
        self._setter = getattr(getattr(llama_cpp.llama_cpp, "_lib", None), "llama_set_abort_callback", None)
        self._ctx = llama._ctx.ctx if self._setter is not None else None
        self._armed = False
        if self._setter is not None:
            self._setter.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
            self._setter.restype = None
            # Kept on the object: ctypes must not free the trampoline while llama.cpp holds it.
            self._callback = ctypes.CFUNCTYPE(ctypes.c_bool, ctypes.c_void_p)(lambda _data: should_abort())
            self._pointer = ctypes.cast(self._callback, ctypes.c_void_p)

    def arm(self) -> None:
        """Let llama.cpp ask `should_abort` between graph nodes."""
        if self._setter is not None and not self._armed:
            self._setter(self._ctx, self._pointer, None)
            self._armed = True

    def disarm(self) -> None:
        """Remove the callback."""
        if self._setter is not None and self._armed:
            self._setter(self._ctx, None, None)
            self._armed = False
