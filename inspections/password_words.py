"""Words Chinese users build passwords from, most common first, for the strength estimator (``passwords``).

zxcvbn knows English words and the passwords of English-speaking leaks; these are the ones it misses: the top of
Chinese leaks (CSDN, Tianya, 7k7k, 2011), number phrases that read as words (5201314 我爱你一生一世, 7758521 亲亲我吧
我爱你), pinyin words and the commonest names in pinyin, and this service's own vocabulary. Order matters: a word's
rank is how soon an attacker tries it.
"""

COMMON_PASSWORDS = (
    "123456789", "12345678", "11111111", "dearbook", "00000000", "123123123", "1234567890", "88888888",
    "111111111", "147258369", "987654321", "aaaaaaaa", "1111111111", "66666666", "a123456789", "11223344",
    "1qaz2wsx", "xiazhili", "789456123", "password", "87654321", "qqqqqqqq", "000000000", "qwertyuiop",
    "qq123456", "iloveyou", "31415926", "12344321", "0000000000", "asdfghjkl", "1q2w3e4r", "123456abc",
    "0123456789", "123654789", "12121212", "qazwsxedc", "abcd1234", "12341234", "110110110", "asdasdasd",
    "123456", "22222222", "123321123", "abc123456", "a12345678", "123456123", "a1234567", "1234qwer",
    "qwertyui", "123456789a", "5201314", "woaini1314", "aini1314", "1314520", "7758521", "520520", "5211314",
    "521521", "woaini520", "woaini", "1314521", "iloveyou1314", "5201314520", "3344520", "584520", "1314woaini",
    "woaiwojia", "woaimama", "woaibaba", "wodemima", "mima", "mima123", "mimamima", "nihao", "nihaoma", "wojiushiwo",
    "qq520", "qq1314", "qq123", "qqqq", "147258", "159357", "159753", "168168", "518518", "666888", "888888",
    "666666", "112233", "123321", "654321", "121212", "246810", "13800138000", "111222tianya", "zxcvbnm",
    "qweasdzxc", "admin", "admin123", "root", "abc123", "a123456", "aa123456", "wang123", "zhang123", "li123456",
)

PINYIN_WORDS = (
    # Words and phrases (我爱你, 爱, 密码, 你好, 中国, 宝贝, 老婆, 老公, 亲爱的, 幸福, 快乐, …).
    "woaini", "aini", "mima", "nihao", "zhongguo", "zhonghua", "beijing", "shanghai", "tianjin", "chongqing",
    "guangzhou", "shenzhen", "baobei", "baobao", "laopo", "laogong", "qinaide", "xingfu", "kuaile", "aiqing",
    "tiantian", "xiaobao", "xiaoming", "xiaohong", "xiaowang", "xiaoli", "xiaozhang", "wodeai", "yongyuan",
    "yisheng", "yishi", "pingan", "fuqi", "jiayou", "shengri", "gongzuo", "danwei", "bangongshi",
    # This service's own words (安全, 安监, 应急, 隐患, 排查, 整改, 检查, 监管, 政府, 街道, 社区, 企业, …).
    "anquan", "anjian", "yingji", "yinhuan", "paicha", "zhenggai", "jiancha", "jianguan", "zhengfu", "jiedao",
    "shequ", "qiye", "anquanshengchan", "shengchan", "xiaofang", "zhifa", "jianchayuan",
    # The commonest full names, then surnames, then given-name syllables.
    "zhangwei", "wangwei", "wangfang", "liwei", "lina", "zhangmin", "lijing", "wangjing", "liuwei", "wangxiuying",
    "zhangli", "lixiuying", "wangli", "zhangjing", "zhangxiuying", "liqiang", "wangmin", "limin", "wanglei",
    "liuyang", "wangyan", "wangyong", "lijun", "zhangyong", "lijie", "zhangjie", "zhanglei", "wangqiang",
    "lijuan", "wangjun", "zhangyan", "zhangtao", "wangtao", "liyan", "wangchao", "liming", "liyong", "wangjuan",
    "zhangsan", "lisi", "wangwu", "zhaoliu", "wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu",
    "zhou", "xu", "sun", "ma", "zhu", "hu", "guo", "he", "gao", "lin", "luo", "zheng", "liang", "xie", "song",
    "tang", "han", "feng", "deng", "cao", "peng", "zeng", "xiao", "tian", "dong", "pan", "yuan", "cai", "jiang",
    "yu", "du", "ye", "cheng", "wei", "su", "lv", "ding", "ren", "lu", "yao", "shen", "zhong", "cui", "tan",
    "fan", "jin", "shi", "liao", "jia", "xia", "fu", "fang", "zou", "xiong", "bai", "meng", "qin", "qiu", "hou",
    "yin", "xue", "yan", "duan", "lei", "long", "tao", "gu", "mao", "hao", "gong", "shao", "wan", "qian",
    "ouyang", "fang", "na", "min", "jing", "xiuying", "qiang", "jun", "yong", "jie", "juan", "ming", "chao",
    "ping", "gang", "gui", "hua", "jian", "hong", "bo", "hui", "xin", "ling", "dan", "ting", "fei", "yun",
    "qing", "bin", "ying", "lan", "mei", "xiu", "zhen", "li", "feng", "lili", "nana", "jingjing", "tingting",
)
