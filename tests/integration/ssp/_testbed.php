<?php
/* Shared by every config file: the per-run settings written by testbed.py. */
if (!function_exists('s2s_testbed')) {
    function s2s_testbed()
    {
        static $tb = null;
        if ($tb === null) {
            $dir = getenv('SIMPLESAMLPHP_CONFIG_DIR');
            if ($dir === false || $dir === '') {
                $dir = __DIR__;
            }
            $tb = json_decode(file_get_contents($dir . '/testbed.json'), true);
            if (!is_array($tb)) {
                throw new \Exception('testbed.json missing or invalid in ' . $dir);
            }
        }
        return $tb;
    }
}
