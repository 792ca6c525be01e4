;; §5.3 masking with WebAssembly SIMD: the text form of the module that xor-simd.ts assembles
;; byte by byte (nothing builds from this file; it is the listing to read beside the builder).
;;
;; The caller copies at most 64 KiB into the module's memory, calls $xor with the length
;; rounded up to a multiple of 64 and the 4 mask bytes as a little-endian i32, and copies the
;; result back out. Bytes between the length and the rounded end are XORed too, but they are
;; never copied out.
(module
  ;; One 64 KiB page, and never more: the JavaScript view of it never detaches.
  (memory (export "memory") 1 1)

  ;; mem[0 .. $end) ^= the mask repeated; $end a multiple of 64, at least 64.
  (func (export "xor") (param $end i32) (param $key i32)
    (local $at i32)
    (local $key_lanes v128)
    local.get $key
    i32x4.splat                       ;; the 4 mask bytes in each of the 4 lanes
    local.set $key_lanes
    loop $next
      ;; mem[$at + 0 .. +16) ^= $key_lanes, then the same at +16, +32 and +48
      local.get $at
      local.get $at
      v128.load offset=0 align=16
      local.get $key_lanes
      v128.xor
      v128.store offset=0 align=16
      local.get $at
      local.get $at
      v128.load offset=16 align=16
      local.get $key_lanes
      v128.xor
      v128.store offset=16 align=16
      local.get $at
      local.get $at
      v128.load offset=32 align=16
      local.get $key_lanes
      v128.xor
      v128.store offset=32 align=16
      local.get $at
      local.get $at
      v128.load offset=48 align=16
      local.get $key_lanes
      v128.xor
      v128.store offset=48 align=16
      local.get $at
      i32.const 64
      i32.add
      local.tee $at                   ;; $at += 64
      local.get $end
      i32.lt_u
      br_if $next                     ;; again while $at < $end
    end))
